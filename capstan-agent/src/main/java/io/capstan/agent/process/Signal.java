package io.capstan.agent.process;

/**
 * The signals the agent sends: a polite TERM, then KILL once the grace is over; HUP, USR1, USR2 or INT (or TERM) when a
 * code package's {@code onConfigChange} names one.
 */
public enum Signal {
    TERM, KILL, HUP, USR1, USR2, INT
}
