package dev.drover.drivers.docker.api;

import dev.drover.sdk.DroverException;

/** The engine answered with an error status; the message is the engine's own. */
public final class DockerApiException extends DroverException {
    private final int status;

    public DockerApiException(int status, String message) {
        super(kindOf(status), message, status >= 500);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public boolean notFound() {
        return status == 404;
    }

    public boolean conflict() {
        return status == 409;
    }

    private static Kind kindOf(int status) {
        return switch (status) {
            case 404 -> Kind.NOT_FOUND;
            case 409 -> Kind.ALREADY_EXISTS;
            case 400 -> Kind.INVALID_CONFIG;
            default -> Kind.INTERNAL;
        };
    }
}
