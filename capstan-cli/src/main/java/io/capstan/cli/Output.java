package io.capstan.cli;

/** How a command prints its result: an aligned table for people, or exactly the API's JSON body. */
public enum Output {
    table,
    json
}
