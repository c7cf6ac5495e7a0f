package io.capstan.server.acl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Token secrets: 256 random bits, shown once to their creator, kept in the state only as their SHA-256. A fast hash
 * is enough because the secret is random, not chosen by a person: guessing a preimage of 256 random bits is out of
 * reach whatever the hash costs, and a cheap hash keeps the check on every request cheap (a slow password hash such
 * as bcrypt guards low-entropy passwords, which these are not).
 */
public final class Secrets {

    private final SecureRandom random = new SecureRandom();

    /** A new secret: 32 random bytes as 64 hex characters. */
    public String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The SHA-256 of a secret, in hex: what the state stores and requests are matched against. */
    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Compares two secrets in time independent of where they differ. */
    public static boolean same(String a, String b) {
        return a != null && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
