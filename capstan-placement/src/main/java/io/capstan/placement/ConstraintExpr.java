package io.capstan.placement;

import java.util.function.Function;

/** The syntax tree of a placement constraint, evaluated against a node's property lookup. */
sealed interface ConstraintExpr {

    boolean eval(Function<String, String> properties);

    /** The empty constraint: every node matches. */
    record Always() implements ConstraintExpr {
        @Override
        public boolean eval(Function<String, String> properties) {
            return true;
        }
    }

    record And(ConstraintExpr left, ConstraintExpr right) implements ConstraintExpr {
        @Override
        public boolean eval(Function<String, String> properties) {
            return left.eval(properties) && right.eval(properties);
        }
    }

    record Or(ConstraintExpr left, ConstraintExpr right) implements ConstraintExpr {
        @Override
        public boolean eval(Function<String, String> properties) {
            return left.eval(properties) || right.eval(properties);
        }
    }

    record Not(ConstraintExpr inner) implements ConstraintExpr {
        @Override
        public boolean eval(Function<String, String> properties) {
            return !inner.eval(properties);
        }
    }

    /** One side of a comparison: a node property, or a literal (string, number, true/false). */
    sealed interface Operand {
        /** The value on this node, or null when the node lacks the property. */
        String value(Function<String, String> properties);
    }

    record Property(String name) implements Operand {
        @Override
        public String value(Function<String, String> properties) {
            return properties.apply(name);
        }
    }

    record Literal(String text) implements Operand {
        @Override
        public String value(Function<String, String> properties) {
            return text;
        }
    }

    enum Op {
        EQ("=="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        boolean holds(int cmp) {
            return switch (this) {
                case EQ -> cmp == 0;
                case NE -> cmp != 0;
                case GT -> cmp > 0;
                case GE -> cmp >= 0;
                case LT -> cmp < 0;
                case LE -> cmp <= 0;
            };
        }
    }

    record Comparison(Operand left, Op op, Operand right) implements ConstraintExpr {
        @Override
        public boolean eval(Function<String, String> properties) {
            String l = left.value(properties);
            String r = right.value(properties);
            // Service Fabric: a node lacking a property never matches a comparison that uses it,
            // whichever operator (so `Missing != "x"` is false too).
            if (l == null || r == null) {
                return false;
            }
            double ln = parseNumber(l);
            double rn = parseNumber(r);
            int cmp = !Double.isNaN(ln) && !Double.isNaN(rn) ? Double.compare(ln, rn) : l.compareTo(r);
            return op.holds(cmp);
        }
    }

    /** Parses a plain decimal number (optional sign, fraction, exponent); NaN for anything else. */
    static double parseNumber(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                i++;
            }
            int expDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return Double.NaN;
            }
        }
        // Hand-rolled check first: Double.parseDouble would also accept "NaN", "Infinity", "1d", " 1".
        return i == n ? Double.parseDouble(s) : Double.NaN;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
