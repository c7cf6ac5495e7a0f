package io.capstan.model.manifest;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean ...?": the closest known word to a misspelt one. */
final class Suggestions {

    private Suggestions() {
    }

    /** The candidate closest to {@code word} if it is close enough to be a likely typo, else null. */
    static String closest(String word, Collection<String> candidates) {
        if (word == null || word.isEmpty()) {
            return null;
        }
        String lower = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String cl = c.toLowerCase(Locale.ROOT);
            int d = cl.equals(lower) ? 0 : distance(lower, cl);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(2, Math.min(word.length(), best == null ? 0 : best.length()) / 3);
        return bestDistance <= allowed ? best : null;
    }

    /** "; did you mean 'x'?" (or "[x]" when {@code quote} is "[") or the empty string. */
    static String didYouMean(String word, Collection<String> candidates, String quote) {
        String c = closest(word, candidates);
        return c == null ? "" : "; did you mean " + quote + c + (quote.equals("[") ? "]" : quote) + "?";
    }

    /** Optimal string alignment distance (Levenshtein plus swaps of neighbours). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
