package org.canvasbatch.adapters.journal.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between the servers under test and the tests' PostgreSQL that can cut its connections silently, as a
 * NAT or firewall does when it forgets an idle connection, or as a database host that died without a word does: the
 * sockets stay open at both ends, and every byte sent on them from then on is dropped. Connections opened after the
 * cut go through, as they would to a database host that is reachable again.
 */
final class CuttableProxy implements AutoCloseable {

    private final ServerSocket listening;
    private final int targetPort;
    private final List<Relay> relays = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    CuttableProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("cuttable-proxy").start(this::accept);
    }

    int port() {
        return listening.getLocalPort();
    }

    /** Drops every byte of the connections open now, in both directions, without closing them. */
    void cutSilently() {
        relays.forEach(relay -> relay.cut = true);
    }

    private void accept() {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket database = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Relay relay = new Relay(client, database);
                relays.add(relay);
                Thread.ofPlatform().daemon().start(() -> relay.pump(client, database));
                Thread.ofPlatform().daemon().start(() -> relay.pump(database, client));
            } catch (IOException e) {
                // closed, or one connection that could not be relayed: its client sees it fail
            }
        }
    }

    private static final class Relay {
        final Socket client;
        final Socket database;
        volatile boolean cut;

        Relay(Socket client, Socket database) {
            this.client = client;
            this.database = database;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (!cut) {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one end closed
            } finally {
                if (!cut) {
                    close();
                }
            }
        }

        void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                database.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        listening.close();
        relays.forEach(Relay::close);
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
