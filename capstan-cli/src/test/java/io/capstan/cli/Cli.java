package io.capstan.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import picocli.CommandLine;

/** Runs the {@code capstan} command line in-process against a {@link FakeTransport}, capturing its output. */
final class Cli {

    record Result(int exitCode, String out, String err) {
    }

    /** A clock tests move by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-11-23T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    final FakeTransport transport;
    final ManualClock clock = new ManualClock();

    Cli(FakeTransport transport) {
        this.transport = transport;
    }

    Cli() {
        this(new FakeTransport());
    }

    CliContext context() {
        return new CliContext(uri -> transport, clock, d -> clock.advance(d));
    }

    CommandLine commandLine() {
        return CapstanCli.commandLine(context());
    }

    Result run(String... args) {
        CommandLine cl = commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Parses {@code args} for the leaf command and returns its object (to call {@code body()} on). */
    <T> T parse(Class<T> type, String... args) {
        CommandLine cl = commandLine();
        CommandLine.ParseResult result = cl.parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }
}
