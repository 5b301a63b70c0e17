package dev.drover.sdk.nativ;

/** A failed system call, with the errno the kernel gave. */
public final class NativeException extends RuntimeException {
    private final int errno;

    public NativeException(String call, int errno) {
        super(call + " failed: errno " + errno);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
