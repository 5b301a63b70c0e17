package dev.drover.dist;

import dev.drover.agent.AgentCommand;
import dev.drover.cli.Cli;
import java.util.Arrays;

/** The {@code drover} program: {@code drover agent …} runs an agent, every other verb is the CLI. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("agent")) {
            System.exit(AgentCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(Cli.run(args, System.out, System.err));
    }
}
