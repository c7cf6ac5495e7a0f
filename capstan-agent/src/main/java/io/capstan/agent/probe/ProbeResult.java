package io.capstan.agent.probe;

/** The outcome of one check: passed or not, and what to tell an operator ("HTTP 503 from GET /healthz"). */
public record ProbeResult(boolean passed, String message) {

    static ProbeResult pass(String message) {
        return new ProbeResult(true, message);
    }

    static ProbeResult fail(String message) {
        return new ProbeResult(false, message);
    }
}
