package dev.drover.sdk.driver;

/** How a driver isolates the task's filesystem; decides which paths the task's env vars show. */
public enum FsIsolation {
    /** The host filesystem (raw_exec): env vars carry host paths. */
    NONE,
    /** A root built on the host filesystem (exec, java): /alloc, /local, /secrets. */
    CHROOT,
    /** The driver's own image (docker): /alloc, /local, /secrets. */
    IMAGE
}
