package dev.drover.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code drover} command line: a Nomad-style client of the agent's HTTP API.
 *
 * <p>Flags are Nomad's single-dash long flags ({@code -address}, {@code -detach}); the agent
 * address comes from {@code -address}, else {@code DROVER_ADDR}, else {@value ApiClient#DEFAULT_ADDRESS}.
 */
@Command(name = "drover",
        description = "Drover: run and inspect jobs on a Drover agent (a Nomad-style node agent).",
        // "status" is a shortcut for "job status", as in Nomad.
        subcommands = {Cli.Agent.class, AllocCommands.class, JobCommands.class, JobCommands.Status.class, NodeCommands.class,
                Cli.Version.class, Cli.Help.class},
        synopsisSubcommandLabel = "<command>",
        commandListHeading = "%nCommands:%n")
public final class Cli implements Callable<Integer> {
    static final String VERSION = "Drover v0.1.0";

    @Option(names = "-address", paramLabel = "<addr>", scope = ScopeType.INHERIT,
            description = "Address of the Drover agent. Overrides DROVER_ADDR; default " + ApiClient.DEFAULT_ADDRESS + ".")
    String address;

    @Option(names = {"-h", "-help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help.")
    boolean help;

    @Option(names = "-version", versionHelp = true, description = "Print the version.")
    boolean version;

    @Spec
    CommandSpec spec;

    final CliContext ctx;
    private final JsonMapper json = JsonMapper.builder().build();
    private ApiClient api;

    Cli(CliContext ctx) {
        this.ctx = ctx;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, CliContext.system(out, err));
    }

    static int run(String[] args, CliContext ctx) {
        Cli cli = new Cli(ctx);
        CommandLine cmd = new CommandLine(cli);
        cmd.setPosixClusteredShortOptionsAllowed(false);
        // alloc exec: everything after the command name belongs to the remote command ("sh -c ...").
        cmd.getSubcommands().get("alloc").getSubcommands().get("exec").setStopAtPositional(true);
        cmd.setOut(new PrintWriter(ctx.out(), true));
        cmd.setErr(new PrintWriter(ctx.err(), true));
        cmd.getCommandSpec().versionProvider(() -> new String[] {VERSION});
        cmd.setParameterExceptionHandler((ex, a) -> {
            ctx.err().println("Error: " + ex.getMessage());
            ctx.err().println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " -help' for usage.");
            return 1;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CliException ce) {
                ctx.err().println(ce.getMessage());
                return ce.exitCode();
            }
            ctx.err().println("Error: " + ex);
            return 1;
        });
        int code = cmd.execute(goStyle(args));
        if (cli.api != null) {
            cli.api.close();
        }
        ctx.out().flush();
        ctx.err().flush();
        return code;
    }

    /** Go's flag package accepts "--flag" as "-flag"; picocli needs one spelling, so fold them. */
    static String[] goStyle(String[] args) {
        List<String> out = new ArrayList<>(args.length);
        boolean positionalOnly = false;
        for (String a : args) {
            if (a.equals("--")) {
                positionalOnly = true;
            }
            out.add(!positionalOnly && a.startsWith("--") && a.length() > 2 ? a.substring(1) : a);
        }
        return out.toArray(String[]::new);
    }

    /** The address to use: flag, then environment, then the default. */
    static String resolveAddress(String flag, java.util.function.Function<String, String> env) {
        String a = flag;
        if (a == null || a.isBlank()) {
            a = env.apply("DROVER_ADDR");
        }
        if (a == null || a.isBlank()) {
            a = ApiClient.DEFAULT_ADDRESS;
        }
        a = a.strip();
        if (!a.contains("://")) {
            a = "http://" + a;
        }
        while (a.endsWith("/")) {
            a = a.substring(0, a.length() - 1);
        }
        return a;
    }

    /** The root command of a subcommand's tree, where the shared context lives. */
    static Cli of(CommandSpec sub) {
        return (Cli) sub.root().userObject();
    }

    ApiClient api() {
        if (api == null) {
            api = new ApiClient(resolveAddress(address, ctx.env()), json);
        }
        return api;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return 1;
    }

    /** Prints a command group's help when it is run without a subcommand. */
    static int groupUsage(CommandSpec group) {
        group.commandLine().usage(of(group).ctx.err());
        return 1;
    }

    @Command(name = "version", description = "Print the Drover version.")
    static final class Version implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            of(spec).ctx.out().println(VERSION);
            return 0;
        }
    }

    @Command(name = "help", description = "Show help for a command, e.g. \"drover help job run\".")
    static final class Help implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Parameters(arity = "0..*", paramLabel = "<command>")
        List<String> path = List.of();

        @Override
        public Integer call() {
            CommandLine c = spec.root().commandLine();
            for (String name : path) {
                c = c.getSubcommands().get(name);
                if (c == null) {
                    throw CliException.usage("drover help", "unknown command \"" + String.join(" ", path) + "\"");
                }
            }
            c.usage(of(spec).ctx.out());
            return 0;
        }
    }

    /** The agent lives in another module; bin/drover dispatches "drover agent" to it. */
    @Command(name = "agent", description = "Run a Drover agent (the node agent that runs tasks).")
    static final class Agent implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Unmatched
        List<String> ignored;

        @Override
        public Integer call() {
            of(spec).ctx.err().println("run `drover agent` through bin/drover");
            return 1;
        }
    }
}
