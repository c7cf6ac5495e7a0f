package io.capstan.agent.process;

/** The two signals the agent sends: a polite TERM, then KILL once the grace is over. */
public enum Signal {
    TERM, KILL
}
