package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.model.PartitionScheme;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PartitionsTest {

    @Test
    void parsesTheThreeForms() {
        assertThat(Partitions.parse("singleton")).isEqualTo(new PartitionScheme.Singleton());
        assertThat(Partitions.parse("Singleton")).isEqualTo(new PartitionScheme.Singleton());
        assertThat(Partitions.parse("range:0:99:2")).isEqualTo(new PartitionScheme.UniformInt64Range(0, 99, 2));
        assertThat(Partitions.parse("range:-100:100:4")).isEqualTo(new PartitionScheme.UniformInt64Range(-100, 100, 4));
        assertThat(Partitions.parse("range:-9223372036854775808:9223372036854775807:3"))
                .isEqualTo(new PartitionScheme.UniformInt64Range(Long.MIN_VALUE, Long.MAX_VALUE, 3));
        assertThat(Partitions.parse("named:east,west")).isEqualTo(new PartitionScheme.Named(List.of("east", "west")));
        assertThat(Partitions.parse("named:solo")).isEqualTo(new PartitionScheme.Named(List.of("solo")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                    | unknown partition scheme",
        "hash:4                | unknown partition scheme 'hash'",
        "singleton:1           | singleton takes no arguments",
        "range                 | range needs exactly LOW:HIGH:COUNT",
        "range:0:99            | range needs exactly LOW:HIGH:COUNT",
        "range:0:99:2:1        | range needs exactly LOW:HIGH:COUNT",
        "range:a:99:2          | LOW 'a' is not a whole number",
        "range:0:9x:2          | HIGH '9x' is not a whole number",
        "range:0:99:           | COUNT '' is not a whole number",
        "range:0:99:0          | COUNT must be at least 1",
        "range:0:99:-1         | COUNT must be at least 1",
        "range:10:0:1          | LOW (10) must not be greater than HIGH (0)",
        "range:0:3:5           | COUNT (5) must not exceed the number of keys in 0..3 (4)",
        "range:0:9223372036854775808:1 | HIGH '9223372036854775808' is not a whole number",
        "named                 | named needs at least one name",
        "named:                | named needs at least one name",
        "'named:a,,b'          | a partition name is empty",
        "'named:a,b,a'         | partition name 'a' appears twice",
    })
    void rejectsWithTheReasonAndTheExpectedForms(String text, String reason) {
        assertThatThrownBy(() -> Partitions.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a partition scheme")
                .hasMessageContaining(reason)
                .hasMessageContaining("expected singleton, range:LOW:HIGH:COUNT")
                .hasMessageContaining("named:A,B,...");
    }

    @Test
    void aBadValueIsAUsageErrorNamingTheFlag() {
        Cli.Result r = new Cli().run("service", "create", "App1/S", "--type", "T", "--stateless", "--instances", "1",
                "--partitions", "range:0:99");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Invalid value for option '--partitions': 'range:0:99' is not a partition scheme")
                .contains("range:LOW:HIGH:COUNT");
        assertThat(r.out()).isEmpty();
    }
}
