package dev.drover.sdk.proc;

/** An exit status in Nomad's encoding: killed by a signal means exitCode = 128 + signal. */
public record WaitStatus(int exitCode, int signal) {
    /** Decodes a raw status as waitpid(2) fills it in. */
    public static WaitStatus fromRaw(int raw) {
        int termSignal = raw & 0x7f;
        if (termSignal == 0) return new WaitStatus((raw >> 8) & 0xff, 0);
        return new WaitStatus(128 + termSignal, termSignal);
    }
}
