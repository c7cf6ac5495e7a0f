package io.capstan.state;

import io.capstan.model.Names;
import io.capstan.state.ClusterCommand.AnnounceServer;
import io.capstan.state.ClusterCommand.MemberCommand;
import java.net.URI;

/** The control-plane servers' directory: where each server's REST API listens, as it announced on start. */
final class MemberCommands implements CommandHandler<MemberCommand> {

    private static final int MAX_URL_CHARS = 512;

    @Override
    public Rejection check(StateChange state, MemberCommand command) {
        return switch (command) {
            case AnnounceServer c -> {
                String problem = c.server() == null ? "is missing" : Names.problem(c.server());
                if (problem != null) {
                    yield Rejection.invalid("server: server name " + problem);
                }
                yield apiUrlProblem(c.apiUrl());
            }
        };
    }

    private static Rejection apiUrlProblem(String url) {
        if (url == null || url.length() > MAX_URL_CHARS) {
            return Rejection.invalid("apiUrl: give the server's API as http(s)://host:port, at most " + MAX_URL_CHARS + " characters");
        }
        try {
            URI uri = URI.create(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || uri.getPort() <= 0) {
                return Rejection.invalid("apiUrl: '" + url + "' must look like http://10.0.0.1:19080");
            }
            return null;
        } catch (IllegalArgumentException e) {
            return Rejection.invalid("apiUrl: '" + url + "' is not a URL: " + e.getMessage());
        }
    }

    @Override
    public void apply(StateChange state, MemberCommand command) {
        switch (command) {
            case AnnounceServer c -> {
                if (!c.apiUrl().equals(state.serverApi(c.server()))) {
                    state.putServerApi(c.server(), c.apiUrl());
                }
            }
        }
    }
}
