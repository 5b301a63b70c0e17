package dev.drover.agent.api;

import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** One HTTP call as a handler sees it: path parameters, query, JSON body, and a streaming output. */
public final class ApiRequest {
    private final Request request;
    private final Response response;
    private final Map<String, String> pathParams;
    private Fields query;

    ApiRequest(Request request, Response response, Map<String, String> pathParams) {
        this.request = request;
        this.response = response;
        this.pathParams = pathParams;
    }

    public String path(String name) {
        return pathParams.get(name);
    }

    public String query(String name, String fallback) {
        if (query == null) query = Request.extractQueryParameters(request);
        String v = query.getValue(name);
        return v == null ? fallback : v;
    }

    /** Every value of a repeatable query parameter, in order; empty if absent. */
    public java.util.List<String> queryAll(String name) {
        if (query == null) query = Request.extractQueryParameters(request);
        var values = query.getValues(name);
        return values == null ? java.util.List.of() : java.util.List.copyOf(values);
    }

    public boolean queryBool(String name, boolean fallback) {
        String v = query(name, null);
        if (v == null || v.isEmpty()) return fallback;
        if (v.equals("true") || v.equals("1")) return true;
        if (v.equals("false") || v.equals("0")) return false;
        throw ApiException.badRequest("query parameter " + name + " must be true or false, got \"" + v + "\"");
    }

    public long queryLong(String name, long fallback) {
        String v = query(name, null);
        if (v == null || v.isEmpty()) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter " + name + " must be a whole number, got \"" + v + "\"");
        }
    }

    /** The body parsed as JSON; a missing or malformed body is a 400 naming the problem. */
    public JsonNode json() {
        String body;
        try {
            body = Content.Source.asString(request);
        } catch (IOException e) {
            throw ApiException.badRequest("could not read request body: " + e.getMessage());
        }
        if (body == null || body.isBlank()) throw ApiException.badRequest("request body is empty; expected a JSON object");
        try {
            JsonNode node = Wire.JSON.readTree(body);
            if (!node.isObject()) throw ApiException.badRequest("request body must be a JSON object");
            return node;
        } catch (JacksonException e) {
            throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr() : ""));
        }
    }

    public void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** Starts a streamed response; the caller writes and flushes as data arrives. */
    public OutputStream stream(String contentType) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        return Content.Sink.asOutputStream(response);
    }
}
