package io.capstan.agent;

import java.time.Duration;

/**
 * When supervisors' delayed work (restarts after backoff, the reset of a failure count) runs, measured on the
 * agent's {@link java.time.Clock}. Tests substitute timers that fire only when their clock is moved on.
 */
interface Timers {

    /** Runs {@code task} after {@code delay}, off the caller's thread; does nothing once the agent closed. */
    Scheduled schedule(Duration delay, Runnable task);

    /** Runs {@code task} soon, off the caller's thread; does nothing once the agent closed. */
    void execute(Runnable task);

    /** A scheduled task that may still be called off. */
    interface Scheduled {
        void cancel();
    }
}
