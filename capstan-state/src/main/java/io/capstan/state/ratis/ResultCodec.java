package io.capstan.state.ratis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.state.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The reply to a submitted command, as it travels back from the state machine to the submitter. */
final class ResultCodec {

    private static final ObjectMapper JSON = CapstanJson.newMapper();

    private ResultCodec() {
    }

    static byte[] encode(CommandResult result) {
        try {
            return JSON.writeValueAsBytes(result);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CommandResult decode(byte[] bytes) {
        try {
            return JSON.readValue(bytes, CommandResult.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
