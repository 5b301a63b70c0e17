package dev.drover.sdk.driver;

/** A task as its driver sees it (Nomad's drivers.TaskState). */
public enum TaskState { UNKNOWN, RUNNING, EXITED }
