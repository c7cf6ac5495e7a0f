package io.capstan.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlacementConstraintTest {

    private static final NodeCandidate FRONTEND = new NodeCandidate("node-1", "fd:/dc1/rack1", "UD0", Map.of(),
            Map.of("NodeType", "frontend", "Disk", "250", "HasSSD", "true", "Zone", "west"), true);

    private static boolean matches(String expression) {
        return PlacementConstraint.parse(expression).test(FRONTEND);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
            "NodeType == \"frontend\" => true",
            "NodeType == \"backend\" => false",
            "NodeType != \"backend\" => true",
            "Disk >= 250 => true",
            "Disk > 250 => false",
            "Disk < 1000 => true",
            "Disk <= 249.5 => false",
            "Disk == 250.0 => true",
            "Disk >= -1 => true",
            "HasSSD == true => true",
            "HasSSD == false => false",
            "NodeName == \"node-1\" => true",
            "FaultDomain == \"fd:/dc1/rack1\" => true",
            "UpgradeDomain != \"UD0\" => false",
            "NodeType == \"frontend\" && Disk >= 100 => true",
            "NodeType == \"backend\" || Disk >= 100 => true",
            "NodeType == \"backend\" || Disk >= 1000 => false",
            "!(NodeType == \"backend\") => true",
            "!NodeType == \"frontend\" => false",
            "!!(Disk > 1) => true",
            "(HasSSD == true && Disk >= 4) => true",
            "NodeType == \"backend\" || Disk > 1 && Zone == \"east\" => false",
            "(NodeType == \"backend\" || Disk > 1) && Zone == \"west\" => true",
            "Zone == Zone => true",
            "Zone > \"east\" => true",
            "\"frontend\" == NodeType => true",
            "10 > 9 => true",
            "\"10\" > \"9\" => true",
    })
    void evaluatesExpressions(String expression, boolean expected) {
        assertThat(matches(expression)).isEqualTo(expected);
    }

    @Test
    void numbersCompareNumericallyOnlyWhenBothSidesAreNumbers() {
        // "250" vs "1000": numerically smaller, but as strings "2" > "1".
        assertThat(matches("Disk < 1000")).isTrue();
        assertThat(matches("Zone < 1000")).isFalse(); // "west" vs "1000" compares as strings: 'w' > '1'
        assertThat(matches("Disk > \"3\"")).isTrue(); // both read as numbers, even when quoted: 250 > 3
        assertThat(matches("NodeName < \"node-2\"")).isTrue(); // "node-1" < "node-2" as strings
    }

    @Test
    void aMissingPropertyNeverMatchesAComparison() {
        assertThat(matches("Rack == \"r1\"")).isFalse();
        assertThat(matches("Rack != \"r1\"")).isFalse();
        assertThat(matches("Rack >= 0")).isFalse();
        // ...but negating the failed comparison matches, as in Service Fabric.
        assertThat(matches("!(Rack == \"r1\")")).isTrue();
        assertThat(matches("Rack == \"r1\" || NodeType == \"frontend\"")).isTrue();
    }

    @Test
    void emptyOrBlankMeansNoConstraint() {
        assertThat(PlacementConstraint.parse("").isNone()).isTrue();
        assertThat(PlacementConstraint.parse("   ").isNone()).isTrue();
        assertThat(PlacementConstraint.parse(null).isNone()).isTrue();
        assertThat(PlacementConstraint.parse("  ").test(FRONTEND)).isTrue();
        assertThat(PlacementConstraint.parse("Disk > 1").isNone()).isFalse();
    }

    @Test
    void stringsSupportEscapedQuotesAndBackslashes() {
        NodeCandidate odd = new NodeCandidate("n", "", "", Map.of(), Map.of("Label", "say \"hi\"\\now"), true);
        assertThat(PlacementConstraint.parse("Label == \"say \\\"hi\\\"\\\\now\"").test(odd)).isTrue();
    }

    @Test
    void evaluatesAgainstAnArbitraryPropertyLookup() {
        PlacementConstraint c = PlacementConstraint.parse("Tier == \"gold\" && Cores >= 8");
        assertThat(c.test(Map.of("Tier", "gold", "Cores", "16")::get)).isTrue();
        assertThat(c.test(Map.of("Tier", "gold")::get)).isFalse();
        assertThat(c.text()).isEqualTo("Tier == \"gold\" && Cores >= 8");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            // expression | expected message fragment
            "NodeType == => expected a property name, string or number at position 12, found end of expression",
            "NodeType => expected a comparison operator (==, !=, >, >=, <, <=) at position 9, found end of expression",
            "NodeType \"x\" => expected a comparison operator (==, !=, >, >=, <, <=) at position 10, found '\"x\"'",
            "(Disk > 1 => expected ')' (to close the '(' at position 1) at position 10, found end of expression",
            "Disk > 1) => expected '&&', '||' or end of expression (unbalanced ')') at position 9, found ')'",
            "Disk > 1 Zone == \"w\" => expected '&&', '||' or end of expression at position 10, found 'Zone'",
            "Disk > 1 & => expected '&&' (a single '&' is not an operator) at position 10",
            "Disk > 1 | Zone == \"w\" => expected '||' (a single '|' is not an operator) at position 10",
            "Disk = 1 => expected '==' (a single '=' is not an operator) at position 6",
            "Disk > 1 && # == 2 => unexpected character '#' at position 13",
            "Zone == \"west => unterminated string (expected a closing '\"') starting at position 9",
            "Zone == \"a\\nb\" => expected '\\\"' or '\\\\' after a backslash in a string at position 11",
            "Zone == \"a\\ => unterminated string (expected a closing '\"') starting at position 9",
            "Disk > 1.2.3 => malformed number '1.2.3' at position 8",
            "Disk > 12abc => expected an operator or ')' after the number '12', found 'a' at position 10",
            "() => expected a property name, string or number at position 2, found ')'",
            "! => expected a property name, string or number at position 2, found end of expression",
            "Disk > 1 && => expected a property name, string or number at position 12, found end of expression",
            "&& Disk > 1 => expected a property name, string or number at position 1, found '&&'",
            "Disk == == 1 => expected a property name, string or number at position 9, found '=='",
    })
    void syntaxErrorsSayWhereAndWhatWasExpected(String expression, String message) {
        assertThatThrownBy(() -> PlacementConstraint.parse(expression))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid placement constraint '" + expression + "': " + message);
    }
}
