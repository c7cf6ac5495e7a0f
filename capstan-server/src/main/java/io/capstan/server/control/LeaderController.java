package io.capstan.server.control;

import java.util.function.BooleanSupplier;

/** A control loop that runs on the Raft leader only and stops as soon as leadership is lost. */
public interface LeaderController {

    String name();

    /** Runs until {@code stillLeader} turns false (or the thread is interrupted). */
    void runWhileLeader(BooleanSupplier stillLeader) throws InterruptedException;
}
