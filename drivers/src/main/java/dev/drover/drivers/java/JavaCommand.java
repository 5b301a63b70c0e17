package dev.drover.drivers.java;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ConfigReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The java task's command line, built as Nomad builds it:
 * {@code java <jvm_options…> [-cp class_path] [-jar jar_path] [class] <args…>}.
 * With both jar_path and class the class name reaches the jar's main method as its first argument
 * (Nomad's behaviour, kept for compatibility).
 */
public record JavaCommand(String jarPath, String mainClass, String classPath, List<String> jvmOptions, List<String> args) {
    /** Looked up inside the sandbox (/usr/local/bin, /usr/bin, /bin), on the host PATH when universal. */
    public static final String BINARY = "java";
    static final Set<String> FIELDS = Set.of("class", "class_path", "jar_path", "jvm_options", "args");

    public JavaCommand {
        jarPath = jarPath == null ? "" : jarPath;
        mainClass = mainClass == null ? "" : mainClass;
        classPath = classPath == null ? "" : classPath;
        jvmOptions = List.copyOf(jvmOptions);
        args = List.copyOf(args);
        if (jarPath.isEmpty() && mainClass.isEmpty()) {
            throw new IllegalArgumentException("one of config.jar_path or config.class is required");
        }
    }

    /** Reads the java fields of a task's {@code config {}} (the caller checks unknown fields). */
    static JavaCommand read(ConfigReader c) {
        try {
            return new JavaCommand(c.string("jar_path", ""), c.string("class", ""), c.string("class_path", ""),
                    c.stringList("jvm_options"), c.stringList("args"));
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(e.getMessage() + " (jar_path = \"local/app.jar\" runs a jar, class = \"com.example.Main\" a class on class_path)");
        }
    }

    /** Everything after {@link #BINARY}. */
    public List<String> arguments() {
        var out = new ArrayList<>(jvmOptions);
        if (!classPath.isEmpty()) {
            out.add("-cp");
            out.add(classPath);
        }
        if (!jarPath.isEmpty()) {
            out.add("-jar");
            out.add(jarPath);
        }
        if (!mainClass.isEmpty()) out.add(mainClass);
        out.addAll(args);
        return List.copyOf(out);
    }
}
