package org.canvasbatch.adapters.journal.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where the cluster's database is: {@code postgresql://USER[:PASS]@HOST:PORT/DB}, the form the {@code --data} option
 * takes. The password never appears in {@link #toString()}, so the location can be logged and shown in errors.
 */
public record PostgresLocation(String user, String password, String host, int port, String database) {

    public static final String SCHEME = "postgresql://";

    /** How long a statement waits for a lock another connection holds before it fails saying so. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}");

    public PostgresLocation {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
    }

    /** The short scheme libpq and most tools take as well, so a location copied from elsewhere works as it is. */
    private static final String SHORT_SCHEME = "postgres://";

    /** Whether {@code data} names a database rather than a folder or {@code memory}. */
    public static boolean isDatabase(String data) {
        return data != null
                && (data.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                        || data.regionMatches(true, 0, SHORT_SCHEME, 0, SHORT_SCHEME.length()));
    }

    /**
     * The location as written, its password (up to the last '@', which a password may hold as well as '/') shown as
     * {@code ***}: for a message about a location that could not be read.
     */
    public static String masked(String text) {
        return MASKED_PASSWORD.matcher(text).replaceFirst("$1***@");
    }

    private static final java.util.regex.Pattern MASKED_PASSWORD =
            java.util.regex.Pattern.compile("^([^:/]*://[^:@/]*:).*@");

    /**
     * Reads {@code postgresql://USER[:PASS]@HOST:PORT/DB}; user and password may be percent-encoded.
     *
     * @throws IllegalArgumentException with what is wrong, in a person's words (never the password)
     */
    public static PostgresLocation parse(String text) {
        if (!isDatabase(text)) {
            throw new IllegalArgumentException("a database is written " + SCHEME + "USER[:PASS]@HOST:PORT/DB");
        }
        URI uri;
        try {
            uri = new URI(SCHEME + text.substring(text.indexOf("://") + 3));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "is not a database location of the form " + SCHEME + "USER[:PASS]@HOST:PORT/DB");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null || userInfo.isEmpty() || userInfo.startsWith(":")) {
            throw new IllegalArgumentException("names no user: write " + SCHEME + "USER[:PASS]@HOST:PORT/DB");
        }
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("names no host: write " + SCHEME + "USER[:PASS]@HOST:PORT/DB");
        }
        if (uri.getPort() < 1 || uri.getPort() > 65_535) {
            throw new IllegalArgumentException("names no port (1-65535): write " + SCHEME + "USER[:PASS]@HOST:PORT/DB");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (!DATABASE.matcher(database).matches()) {
            throw new IllegalArgumentException("names no database (letters, digits, '_', '$' or '-' after the port)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("takes no '?' or '#' part");
        }
        return new PostgresLocation(user, password, uri.getHost(), uri.getPort(), database);
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The JDBC URL of the database; user and password travel in {@link #connectionProperties()}. */
    String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + database;
    }

    Properties connectionProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "canvas-batch");
        // a dead server or a cut network must not hang a request for minutes
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        properties.setProperty("tcpKeepAlive", "true");
        // a lock someone else holds on our tables (a VACUUM FULL, an ALTER TABLE, a LOCK TABLE left open) is said to be
        // one well before the socket timeout, which would call the database unreachable and be tried again
        properties.setProperty("options", "-c lock_timeout=" + LOCK_WAIT.toSeconds() + "s");
        return properties;
    }

    @Override
    public String toString() {
        return SCHEME + user + (password == null ? "" : ":***") + "@" + host + ":" + port + "/" + database;
    }
}
