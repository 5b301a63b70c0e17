package dev.drover.drivers.java;

import dev.drover.drivers.shared.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Runs the host's {@code java -version} once per fingerprint and reads what it prints. */
public final class JavaProbe {
    private static final Pattern VERSION = Pattern.compile("version \"([^\"]+)\"");

    private JavaProbe() {}

    /** The three lines of {@code java -version}: the version, the runtime line and the VM line. */
    public record JavaVersion(String version, String runtime, String vm) {
        Map<String, String> attributes() {
            return Map.of("driver.java", "1", "driver.java.version", version, "driver.java.runtime", runtime, "driver.java.vm", vm);
        }
    }

    public sealed interface Result permits Found, Missing {}

    public record Found(Path binary, JavaVersion version) implements Result {}

    public record Missing(String reason) implements Result {}

    public static Result probe(List<Path> searchPath, CommandRunner runner, Duration timeout) {
        Path binary = searchPath.stream().map(d -> d.resolve(JavaCommand.BINARY))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst().orElse(null);
        if (binary == null) {
            return new Missing("java not found in " + searchPath.stream().map(Path::toString).collect(Collectors.joining(":"))
                    + " (install a JRE, e.g. apt-get install default-jre-headless)");
        }
        CommandRunner.Output out;
        try {
            out = runner.run(List.of(binary.toString(), "-version"), timeout);
        } catch (IOException e) {
            return new Missing("\"" + binary + " -version\" failed: " + e.getMessage());
        }
        if (out.exitCode() != 0) {
            return new Missing("\"" + binary + " -version\" exited with " + out.exitCode() + ": " + out.text().strip());
        }
        var version = parse(out.text());
        if (version == null) return new Missing("could not read a version from \"" + binary + " -version\": " + out.text().strip());
        return new Found(binary, version);
    }

    /**
     * Reads e.g. {@code openjdk version "17.0.15" 2025-04-15} / {@code OpenJDK Runtime Environment
     * (build …)} / {@code OpenJDK 64-Bit Server VM (build …)}; JVM notices such as "Picked up
     * JAVA_TOOL_OPTIONS" are skipped. Null if there is no version line.
     */
    static JavaVersion parse(String output) {
        var lines = output.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("Picked up") && !l.startsWith("NOTE:")).toList();
        for (int i = 0; i < lines.size(); i++) {
            var m = VERSION.matcher(lines.get(i));
            if (m.find()) {
                String runtime = i + 1 < lines.size() ? lines.get(i + 1) : "";
                String vm = i + 2 < lines.size() ? lines.get(i + 2) : "";
                return new JavaVersion(m.group(1), runtime, vm);
            }
        }
        return null;
    }
}
