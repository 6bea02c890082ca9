package org.canvasbatch.adapters.http;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which {@code Host} headers the server answers: the defence against DNS rebinding that Jupyter Server and Ollama use.
 * A web page whose own name the attacker re-points at 127.0.0.1 reaches this server with its own name in {@code Host}
 * ({@code Host: evil.example:8000}); answering only the names this server is known by makes such a page read nothing.
 *
 * <p>Answered: loopback names and addresses ({@code localhost}, {@code *.localhost}, {@code 127.x.x.x}, {@code [::1]}),
 * the address the connection actually arrived at (a LAN client typing the machine's IP), the address the server is
 * bound to, and the configured names ({@code server.allowed-hosts}; {@code *} answers every name). Any port. Names are
 * compared as written and never resolved, so answering cannot itself be steered through DNS.
 */
final class HostPolicy {

    /** The configured entry that switches the check off (behind a reverse proxy that checks names itself). */
    static final String ANY = "*";

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern NAME =
            Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "0:0:0:0:0:0:0:0");

    private final Set<String> named;
    private final boolean everyone;

    /**
     * @param boundHost  the address or name the server listens on
     * @param configured further names or addresses to answer ({@code *} for all)
     */
    HostPolicy(String boundHost, List<String> configured) {
        validate(configured);
        this.everyone = configured.contains(ANY);
        Set<String> names = configured.stream()
                .filter(entry -> !entry.equals(ANY))
                .map(HostPolicy::normalise)
                .collect(Collectors.toSet());
        String bound = normalise(boundHost);
        if (bound != null && !WILDCARDS.contains(bound)) {
            names.add(bound);
        }
        this.named = Set.copyOf(names);
    }

    /** Throws with a sentence a person can act on when an entry is not a host name or address. */
    static void validate(List<String> entries) {
        for (String entry : entries) {
            if (entry == null || entry.isBlank()) {
                throw new IllegalArgumentException("an allowed host must not be empty");
            }
            if (!entry.equals(ANY) && normalise(entry) == null) {
                throw new IllegalArgumentException("an allowed host is a name or an address without scheme or port,"
                        + " e.g. studybox.local or 192.168.1.5, not '" + entry + "'");
            }
        }
    }

    /**
     * Whether a request that came in with this {@code Host} header, on a connection that arrived at
     * {@code localAddress}, is one this server answers.
     */
    boolean allows(String hostHeader, String localAddress) {
        if (everyone) {
            return true;
        }
        String host = hostOf(hostHeader);
        if (host == null) {
            return false;
        }
        if (isLoopback(host) || named.contains(host)) {
            return true;
        }
        String local = normalise(localAddress);
        return local != null && !WILDCARDS.contains(local) && local.equals(host);
    }

    /** The host part of a {@code Host} header, normalised; null when the header is absent or malformed. */
    static String hostOf(String hostHeader) {
        if (hostHeader == null) {
            return null;
        }
        String value = hostHeader.strip();
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            if (end < 0 || !isPortOrNothing(value.substring(end + 1))) {
                return null;
            }
            return normalise(value.substring(0, end + 1));
        }
        int colon = value.indexOf(':');
        if (colon >= 0 && !isPortOrNothing(value.substring(colon))) {
            return null;
        }
        return normalise(colon >= 0 ? value.substring(0, colon) : value);
    }

    private static boolean isPortOrNothing(String rest) {
        return rest.isEmpty() || rest.matches(":[0-9]{1,5}");
    }

    /** A name in lower case, an IPv4 address, or an IPv6 address without brackets in lower case; null if none. */
    static String normalise(String host) {
        if (host == null) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
            return h.contains(":") && IPV6.matcher(h).matches() ? canonicalIpv6(h) : null;
        }
        if (h.contains(":")) {
            return IPV6.matcher(h).matches() ? canonicalIpv6(h) : null;
        }
        if (IPV4.matcher(h).matches() || NAME.matcher(h).matches()) {
            return h;
        }
        return null;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost")
                || host.endsWith(".localhost")
                || host.startsWith("127.") && IPV4.matcher(host).matches()
                || host.equals("::1");
    }

    /**
     * The one textual form of an IPv6 address: eight groups, no leading zeros, {@code ::} expanded; null when malformed.
     * Written by hand rather than through {@code InetAddress}, which resolves through DNS whatever it cannot parse.
     */
    private static String canonicalIpv6(String text) {
        String address = text;
        String ipv4Tail = null;
        int lastColon = address.lastIndexOf(':');
        if (address.indexOf('.') >= 0) {
            ipv4Tail = address.substring(lastColon + 1);
            if (!IPV4.matcher(ipv4Tail).matches()) {
                return null;
            }
            address = address.substring(0, lastColon + 1) + "0:0";
        }
        int doubleColon = address.indexOf("::");
        if (doubleColon != address.lastIndexOf("::")) {
            return null;
        }
        String[] head;
        String[] tail;
        if (doubleColon >= 0) {
            String left = address.substring(0, doubleColon);
            String right = address.substring(doubleColon + 2);
            head = left.isEmpty() ? new String[0] : left.split(":", -1);
            tail = right.isEmpty() ? new String[0] : right.split(":", -1);
            if (head.length + tail.length > 7) {
                return null;
            }
        } else {
            head = address.split(":", -1);
            tail = new String[0];
            if (head.length != 8) {
                return null;
            }
        }
        int[] groups = new int[8];
        for (int i = 0; i < head.length; i++) {
            Integer group = group(head[i]);
            if (group == null) {
                return null;
            }
            groups[i] = group;
        }
        for (int i = 0; i < tail.length; i++) {
            Integer group = group(tail[i]);
            if (group == null) {
                return null;
            }
            groups[8 - tail.length + i] = group;
        }
        if (ipv4Tail != null) {
            String[] octets = ipv4Tail.split("\\.");
            groups[6] = Integer.parseInt(octets[0]) << 8 | Integer.parseInt(octets[1]);
            groups[7] = Integer.parseInt(octets[2]) << 8 | Integer.parseInt(octets[3]);
        }
        StringBuilder canonical = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                canonical.append(':');
            }
            canonical.append(Integer.toHexString(groups[i]));
        }
        String result = canonical.toString();
        return result.equals("0:0:0:0:0:0:0:1") ? "::1" : result.equals("0:0:0:0:0:0:0:0") ? "::" : result;
    }

    private static Integer group(String text) {
        if (text.isEmpty() || text.length() > 4) {
            return null;
        }
        try {
            return Integer.parseInt(text, 16);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
