package dev.drover.cli;

/** The agent answered with a non-2xx status; the body (plain text) is the server's message. */
final class ApiException extends CliException {
    private final int status;
    private final String serverMessage;

    ApiException(String doing, int status, String serverMessage) {
        super("Error " + doing + ": " + serverMessage);
        this.status = status;
        this.serverMessage = serverMessage;
    }

    int status() {
        return status;
    }

    String serverMessage() {
        return serverMessage;
    }
}
