package dev.drover.cli;

import dev.drover.cli.Model.Allocation;
import dev.drover.cli.Model.JobStub;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code drover job ...}: submit, inspect and stop jobs. */
@Command(name = "job", description = "Interact with jobs (run, status, stop).",
        subcommands = {JobRun.class, JobCommands.Status.class, JobCommands.Stop.class},
        synopsisSubcommandLabel = "<subcommand>", commandListHeading = "%nSubcommands:%n")
final class JobCommands implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.groupUsage(spec);
    }

    /** The job's allocations, or an empty list once the job is gone (purged). */
    static List<Allocation> allocations(ApiClient api, String jobId) {
        String path = "/v1/job/" + ApiClient.enc(jobId) + "/allocations";
        ApiClient.Response r = api.send("GET", path, null);
        if (r.status() == 404) {
            return List.of();
        }
        if (!r.ok()) {
            throw ApiClient.error("querying job allocations", r.status(), r.text());
        }
        List<Allocation> allocs = new ArrayList<>();
        api.parse(r.body(), "querying job allocations").forEach(a -> allocs.add(Allocation.from(a)));
        return allocs;
    }

    static CliException jobNotFound(String id) {
        return new CliException("Error: job \"" + id + "\" not found");
    }

    @Command(name = "status", description = "Display the status of all jobs, or of one job and its allocations.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "-verbose", description = "Show full IDs and absolute times.")
        boolean verbose;

        @Parameters(arity = "0..1", paramLabel = "<job>", description = "Job ID; omit to list all jobs.")
        String job;

        @Override
        public Integer call() {
            Cli cli = Cli.of(spec);
            if (job == null) {
                listJobs(cli);
            } else {
                showJob(cli);
            }
            return 0;
        }

        private void listJobs(Cli cli) {
            JsonNode list = cli.api().get("/v1/jobs", "querying jobs");
            if (list.isEmpty()) {
                cli.ctx.out().println("No running jobs");
                return;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "Type", "Priority", "Status", "Submit Date"});
            for (JsonNode n : list) {
                JobStub j = JobStub.from(n);
                rows.add(new String[] {j.id(), j.type(), Long.toString(j.priority()), j.displayStatus(),
                        Format.time(j.submitTime(), cli.ctx.zone())});
            }
            cli.ctx.out().print(Format.table(rows));
        }

        private void showJob(Cli cli) {
            ApiClient api = cli.api();
            JsonNode j;
            try {
                j = api.get("/v1/job/" + ApiClient.enc(job), "querying job");
            } catch (ApiException e) {
                throw e.status() == 404 ? jobNotFound(job) : e;
            }
            JobStub stub = JobStub.from(j);
            List<String[]> kv = new ArrayList<>();
            kv.add(new String[] {"ID", stub.id()});
            kv.add(new String[] {"Name", stub.name()});
            kv.add(new String[] {"Submit Date", Format.time(stub.submitTime(), cli.ctx.zone())});
            kv.add(new String[] {"Type", stub.type()});
            kv.add(new String[] {"Priority", Long.toString(stub.priority())});
            kv.add(new String[] {"Status", stub.displayStatus()});
            kv.add(new String[] {"Version", Long.toString(Model.num(j, "Version"))});
            var out = cli.ctx.out();
            out.print(Format.kv(kv));
            out.println();
            out.println("Allocations");
            List<Allocation> allocs = new ArrayList<>(allocations(api, stub.id().isEmpty() ? job : stub.id()));
            if (allocs.isEmpty()) {
                out.println("No allocations placed");
                return;
            }
            allocs.sort(Comparator.comparingLong(Allocation::createTime).reversed());
            Instant now = cli.ctx.clock().instant();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "Task Group", "Desired", "Status", "Created", "Modified"});
            for (Allocation a : allocs) {
                rows.add(new String[] {Format.id(a.id(), verbose), a.taskGroup(), a.desiredStatus(), a.clientStatus(),
                        when(a.createTime(), now, cli), when(a.modifyTime(), now, cli)});
            }
            out.print(Format.table(rows));
        }

        private String when(long nanos, Instant now, Cli cli) {
            return verbose ? Format.time(nanos, cli.ctx.zone()) : Format.ago(nanos, now);
        }
    }

    @Command(name = "stop", description = "Stop a running job (and with -purge, forget it).")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "-purge", description = "Remove the job from the agent's state once stopped.")
        boolean purge;

        @Option(names = "-detach", description = "Return immediately instead of waiting for allocations to stop.")
        boolean detach;

        @Parameters(paramLabel = "<job>", description = "Job ID.")
        String job;

        @Override
        public Integer call() {
            Cli cli = Cli.of(spec);
            ApiClient api = cli.api();
            try {
                api.delete("/v1/job/" + ApiClient.enc(job) + "?purge=" + purge, "deregistering job");
            } catch (ApiException e) {
                throw e.status() == 404 ? jobNotFound(job) : e;
            }
            if (detach) {
                cli.ctx.out().println("==> Job \"" + job + "\" stop requested");
                return 0;
            }
            Instant deadline = cli.ctx.clock().instant().plus(cli.ctx.waitTimeout());
            while (true) {
                List<String> running = allocations(api, job).stream()
                        .filter(a -> !a.terminal()).map(a -> Format.shortId(a.id())).toList();
                if (running.isEmpty()) {
                    break;
                }
                if (!cli.ctx.clock().instant().isBefore(deadline)) {
                    throw new CliException("Error waiting for job \"" + job + "\" to stop: allocations still running after "
                            + cli.ctx.waitTimeout().toSeconds() + "s: " + String.join(", ", running));
                }
                JobRun.sleep(cli.ctx.pollInterval());
            }
            cli.ctx.out().println("==> Job \"" + job + "\" stopped");
            return 0;
        }
    }
}
