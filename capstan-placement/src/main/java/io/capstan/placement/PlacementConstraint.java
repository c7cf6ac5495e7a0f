package io.capstan.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A compiled placement constraint (Service Fabric syntax), e.g. {@code NodeType == "frontend" && Disk >= 100}.
 *
 * <p>Grammar: {@code or := and ('||' and)*}, {@code and := unary ('&&' unary)*},
 * {@code unary := '!' unary | '(' or ')' | operand op operand}, {@code op := == != > >= < <=},
 * {@code operand := identifier | "string" | number | true | false}. A bare identifier names a node
 * property; built-ins are {@code NodeName}, {@code FaultDomain} and {@code UpgradeDomain} ({@code NodeType}
 * comes from the node's properties). Two values that both read as numbers compare as numbers, otherwise
 * as strings. A node lacking a property never matches a comparison that uses it.
 */
public final class PlacementConstraint implements Predicate<NodeCandidate> {

    /** The empty constraint: every node matches. */
    public static final PlacementConstraint NONE = new PlacementConstraint("", new ConstraintExpr.Always());

    private final String text;
    private final ConstraintExpr expr;

    private PlacementConstraint(String text, ConstraintExpr expr) {
        this.text = text;
        this.expr = expr;
    }

    /**
     * Compiles {@code text}; null or blank means no constraint.
     *
     * @throws IllegalArgumentException on a syntax error, naming the 1-based position and what was expected
     */
    public static PlacementConstraint parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        return new PlacementConstraint(text, new Parser(text).parseAll());
    }

    /** The source text ("" for no constraint). */
    public String text() {
        return text;
    }

    /** True for the empty constraint. */
    public boolean isNone() {
        return expr instanceof ConstraintExpr.Always;
    }

    /** Whether {@code node} satisfies this constraint. */
    @Override
    public boolean test(NodeCandidate node) {
        return expr.eval(name -> property(node, name));
    }

    /** Evaluates against an arbitrary property lookup (null = the property is missing). */
    public boolean test(Function<String, String> properties) {
        return expr.eval(properties);
    }

    /** A node's value for a property name, built-ins first. */
    static String property(NodeCandidate node, String name) {
        return switch (name) {
            case "NodeName" -> node.name();
            case "FaultDomain" -> node.faultDomain();
            case "UpgradeDomain" -> node.upgradeDomain();
            default -> node.properties().get(name);
        };
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlacementConstraint other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private enum Kind { IDENT, STRING, NUMBER, LPAREN, RPAREN, AND, OR, NOT, OP, END }

    private record Token(Kind kind, String text, int pos, ConstraintExpr.Op op) {
        String describe() {
            return switch (kind) {
                case END -> "end of expression";
                case STRING -> "'\"" + text + "\"'";
                default -> "'" + text + "'";
            };
        }
    }

    /** Tokenizer plus recursive-descent parser; positions in messages are 1-based. */
    private static final class Parser {
        private final String src;
        private final List<Token> tokens;
        private int next;

        Parser(String src) {
            this.src = src;
            this.tokens = tokenize();
        }

        ConstraintExpr parseAll() {
            ConstraintExpr e = parseOr();
            Token t = peek();
            if (t.kind != Kind.END) {
                throw error(t, t.kind == Kind.RPAREN ? "'&&', '||' or end of expression (unbalanced ')')"
                        : "'&&', '||' or end of expression");
            }
            return e;
        }

        private ConstraintExpr parseOr() {
            ConstraintExpr left = parseAnd();
            while (peek().kind == Kind.OR) {
                next++;
                left = new ConstraintExpr.Or(left, parseAnd());
            }
            return left;
        }

        private ConstraintExpr parseAnd() {
            ConstraintExpr left = parseUnary();
            while (peek().kind == Kind.AND) {
                next++;
                left = new ConstraintExpr.And(left, parseUnary());
            }
            return left;
        }

        private ConstraintExpr parseUnary() {
            Token t = peek();
            if (t.kind == Kind.NOT) {
                next++;
                return new ConstraintExpr.Not(parseUnary());
            }
            if (t.kind == Kind.LPAREN) {
                next++;
                ConstraintExpr inner = parseOr();
                Token close = peek();
                if (close.kind != Kind.RPAREN) {
                    throw error(close, "')' (to close the '(' at position " + (t.pos + 1) + ")");
                }
                next++;
                return inner;
            }
            return parseComparison();
        }

        private ConstraintExpr parseComparison() {
            ConstraintExpr.Operand left = parseOperand();
            Token op = peek();
            if (op.kind != Kind.OP) {
                throw error(op, "a comparison operator (==, !=, >, >=, <, <=)");
            }
            next++;
            ConstraintExpr.Operand right = parseOperand();
            return new ConstraintExpr.Comparison(left, op.op, right);
        }

        private ConstraintExpr.Operand parseOperand() {
            Token t = peek();
            return switch (t.kind) {
                case IDENT -> {
                    next++;
                    // true/false are literals so that Service Fabric's `HasSSD == true` works as written.
                    yield t.text.equals("true") || t.text.equals("false")
                            ? new ConstraintExpr.Literal(t.text) : new ConstraintExpr.Property(t.text);
                }
                case STRING, NUMBER -> {
                    next++;
                    yield new ConstraintExpr.Literal(t.text);
                }
                default -> throw error(t, "a property name, string or number");
            };
        }

        private Token peek() {
            return tokens.get(next);
        }

        private IllegalArgumentException error(Token found, String expected) {
            return new IllegalArgumentException("invalid placement constraint '" + src + "': expected " + expected
                    + " at position " + (found.pos + 1) + ", found " + found.describe());
        }

        private IllegalArgumentException error(int pos, String message) {
            return new IllegalArgumentException("invalid placement constraint '" + src + "': " + message
                    + " at position " + (pos + 1));
        }

        private List<Token> tokenize() {
            List<Token> out = new ArrayList<>();
            int i = 0;
            int n = src.length();
            while (i < n) {
                char c = src.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '(') {
                    out.add(new Token(Kind.LPAREN, "(", i++, null));
                } else if (c == ')') {
                    out.add(new Token(Kind.RPAREN, ")", i++, null));
                } else if (c == '&' || c == '|') {
                    if (i + 1 < n && src.charAt(i + 1) == c) {
                        out.add(new Token(c == '&' ? Kind.AND : Kind.OR, "" + c + c, i, null));
                        i += 2;
                    } else {
                        throw error(i, "expected '" + c + c + "' (a single '" + c + "' is not an operator)");
                    }
                } else if (c == '=') {
                    if (i + 1 < n && src.charAt(i + 1) == '=') {
                        out.add(new Token(Kind.OP, "==", i, ConstraintExpr.Op.EQ));
                        i += 2;
                    } else {
                        throw error(i, "expected '==' (a single '=' is not an operator)");
                    }
                } else if (c == '!') {
                    if (i + 1 < n && src.charAt(i + 1) == '=') {
                        out.add(new Token(Kind.OP, "!=", i, ConstraintExpr.Op.NE));
                        i += 2;
                    } else {
                        out.add(new Token(Kind.NOT, "!", i++, null));
                    }
                } else if (c == '<' || c == '>') {
                    boolean eq = i + 1 < n && src.charAt(i + 1) == '=';
                    ConstraintExpr.Op op = c == '<' ? (eq ? ConstraintExpr.Op.LE : ConstraintExpr.Op.LT)
                            : (eq ? ConstraintExpr.Op.GE : ConstraintExpr.Op.GT);
                    out.add(new Token(Kind.OP, op.symbol, i, op));
                    i += eq ? 2 : 1;
                } else if (c == '"') {
                    i = readString(i, out);
                } else if (isDigit(c) || ((c == '-' || c == '.') && i + 1 < n && isDigit(src.charAt(i + 1)))) {
                    i = readNumber(i, out);
                } else if (Character.isLetter(c) || c == '_') {
                    int start = i;
                    while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_' || src.charAt(i) == '.')) {
                        i++;
                    }
                    out.add(new Token(Kind.IDENT, src.substring(start, i), start, null));
                } else {
                    throw error(i, "unexpected character '" + c + "'");
                }
            }
            out.add(new Token(Kind.END, "", n, null));
            return out;
        }

        private int readString(int start, List<Token> out) {
            StringBuilder sb = new StringBuilder();
            int i = start + 1;
            while (i < src.length()) {
                char c = src.charAt(i);
                if (c == '"') {
                    out.add(new Token(Kind.STRING, sb.toString(), start, null));
                    return i + 1;
                }
                if (c == '\\') {
                    if (i + 1 >= src.length()) {
                        break;
                    }
                    char esc = src.charAt(i + 1);
                    if (esc != '"' && esc != '\\') {
                        throw error(i, "expected '\\\"' or '\\\\' after a backslash in a string");
                    }
                    sb.append(esc);
                    i += 2;
                } else {
                    sb.append(c);
                    i++;
                }
            }
            throw error(start, "unterminated string (expected a closing '\"') starting");
        }

        private int readNumber(int start, List<Token> out) {
            int i = start;
            int n = src.length();
            if (src.charAt(i) == '-') {
                i++;
            }
            while (i < n && (isDigit(src.charAt(i)) || src.charAt(i) == '.' || src.charAt(i) == 'e' || src.charAt(i) == 'E'
                    || ((src.charAt(i) == '-' || src.charAt(i) == '+') && (src.charAt(i - 1) == 'e' || src.charAt(i - 1) == 'E')))) {
                i++;
            }
            String text = src.substring(start, i);
            if (Double.isNaN(ConstraintExpr.parseNumber(text))) {
                throw error(start, "malformed number '" + text + "'");
            }
            if (i < n && (Character.isLetter(src.charAt(i)) || src.charAt(i) == '_')) {
                throw error(i, "expected an operator or ')' after the number '" + text + "', found '" + src.charAt(i) + "'");
            }
            out.add(new Token(Kind.NUMBER, text, start, null));
            return i;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }
}
