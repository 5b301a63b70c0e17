package dev.drover.agent.api;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.alloc.AllocRunner;
import dev.drover.agent.alloc.StoredJob;
import dev.drover.agent.jobspec.JobJson;
import dev.drover.agent.jobspec.JobspecException;
import dev.drover.agent.jobspec.JobspecParser;
import dev.drover.sdk.rpc.Wire;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** /v1/jobs, /v1/jobs/parse, /v1/job/:id and /v1/job/:id/allocations. */
final class JobsApi {
    private final AllocManager allocs;

    JobsApi(AllocManager allocs) {
        this.allocs = allocs;
    }

    void register(Router router) {
        router.add("PUT", "/v1/jobs", this::registerJob)
                .add("POST", "/v1/jobs", this::registerJob)
                .add("GET", "/v1/jobs", r -> listJobs())
                .add("POST", "/v1/jobs/parse", this::parse)
                .add("PUT", "/v1/jobs/parse", this::parse)
                .add("GET", "/v1/job/:id", r -> job(r.path("id")))
                .add("DELETE", "/v1/job/:id", r -> stop(r.path("id"), r.queryBool("purge", false)))
                .add("GET", "/v1/job/:id/allocations", r -> jobAllocations(r.path("id")));
    }

    /** Parses an HCL job into Nomad's JSON form; warnings go in the X-Drover-Warnings header. */
    private Object parse(ApiRequest request) {
        JsonNode body = request.json();
        JsonNode hcl = body.get("JobHCL");
        if (hcl == null || !hcl.isString()) throw ApiException.badRequest("JobHCL: expected the job file's text as a string");
        String filename = body.path("Filename").asString("job.hcl");
        try {
            var parsed = new JobspecParser().parse(filename, hcl.asString());
            var warnings = Wire.JSON.createArrayNode();
            parsed.warnings().forEach(warnings::add);
            request.header("X-Drover-Warnings", Wire.JSON.writeValueAsString(warnings));
            return JobJson.toJson(parsed.job());
        } catch (JobspecException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private Object registerJob(ApiRequest request) {
        long receivedAt = AllocManager.nowNanos(); // the allocations' CreateTime: start latency counts from here
        JsonNode body = request.json();
        if (!body.has("Job")) throw ApiException.badRequest("Job: missing; the body must be {\"Job\": {...}}");
        dev.drover.agent.job.Job job;
        try {
            job = JobJson.fromJson(body.get("Job"));
        } catch (JobspecException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        var registration = allocs.register(job, receivedAt);
        var out = Wire.JSON.createObjectNode()
                .put("EvalID", "")
                .put("JobModifyIndex", registration.version())
                .put("Warnings", "");
        var ids = out.putArray("AllocIDs");
        registration.allocIds().forEach(ids::add);
        return out;
    }

    private ArrayNode listJobs() {
        var out = Wire.JSON.createArrayNode();
        for (String id : allocs.jobIds()) {
            allocs.job(id).ifPresent(stored -> out.add(summary(id, stored)));
        }
        return out;
    }

    private ObjectNode summary(String id, StoredJob stored) {
        var job = stored.job();
        return Wire.JSON.createObjectNode()
                .put("ID", id)
                .put("Name", job.path("Name").asString(id))
                .put("Type", job.path("Type").asString("service"))
                .put("Priority", job.path("Priority").asInt(50))
                .put("Status", status(id, stored))
                .put("Stop", stored.stopped())
                .put("Version", stored.version())
                .put("SubmitTime", stored.submitTime());
    }

    /** Nomad's job status: running while any allocation runs, dead once stopped or all are done. */
    private String status(String id, StoredJob stored) {
        var statuses = allocs.allocations(id).stream().map(AllocRunner::clientStatus).toList();
        if (statuses.contains(AllocRunner.RUNNING)) return "running";
        if (statuses.contains(AllocRunner.PENDING)) return "pending";
        return stored.stopped() || !statuses.isEmpty() ? "dead" : "pending";
    }

    private ObjectNode job(String id) {
        var stored = allocs.job(id).orElseThrow(() -> ApiException.notFound("job \"" + id + "\" not found"));
        var out = ((ObjectNode) stored.job()).deepCopy();
        out.setAll(summary(id, stored));
        return out;
    }

    private ObjectNode stop(String id, boolean purge) {
        allocs.stopJob(id, purge);
        return Wire.JSON.createObjectNode().put("EvalID", "");
    }

    private ArrayNode jobAllocations(String id) {
        if (allocs.job(id).isEmpty()) throw ApiException.notFound("job \"" + id + "\" not found");
        var out = Wire.JSON.createArrayNode();
        allocs.allocations(id).forEach(r -> out.add(ApiJson.allocStub(r)));
        return out;
    }
}
