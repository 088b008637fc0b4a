package io.salespulse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP proxy between S3A and the local S3 server that misbehaves on purpose: for a share
 * of requests it answers 503 SlowDown or resets the connection before the server sees the request;
 * {@link #down} makes it reset everything (storage gone). Each forwarded request carries
 * {@code Connection: close}, so every request opens a connection and meets the dice.
 */
public final class FaultyProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int upstreamPort;
    private final double faultRate;
    private final Random random;
    private volatile boolean down;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger slowDowns = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();

    public FaultyProxy(int upstreamPort, double faultRate, long seed) {
        this.upstreamPort = upstreamPort;
        this.faultRate = faultRate;
        this.random = new Random(seed);
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::acceptLoop, "faulty-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public void down(boolean down) {
        this.down = down;
    }

    public int requests() {
        return requests.get();
    }

    public int slowDowns() {
        return slowDowns.get();
    }

    public int resets() {
        return resets.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> handle(client), "faulty-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            byte[] head = readHead(client.getInputStream());
            if (head == null) {
                return;
            }
            requests.incrementAndGet();
            double dice;
            synchronized (random) {
                dice = random.nextDouble();
            }
            if (down || dice < faultRate / 2) {
                resets.incrementAndGet();
                client.setSoLinger(true, 0); // RST instead of FIN
                return;
            }
            String text = new String(head, StandardCharsets.ISO_8859_1);
            if (dice < faultRate) {
                slowDowns.incrementAndGet();
                boolean isHead = text.startsWith("HEAD ");
                String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                        + "<Message>Please reduce your request rate.</Message><RequestId>fault</RequestId></Error>";
                String response = "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nConnection: close\r\n"
                        + "Content-Length: " + (isHead ? 0 : body.length()) + "\r\n\r\n" + (isHead ? "" : body);
                client.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                client.getOutputStream().flush();
                return;
            }
            String rewritten = text.replaceAll("(?im)^Connection:[^\r\n]*\r\n", "")
                    .replaceFirst("\r\n\r\n$", "\r\nConnection: close\r\n\r\n");
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
                upstream.getOutputStream().write(rewritten.getBytes(StandardCharsets.ISO_8859_1));
                Thread up = new Thread(() -> pipe(client, upstream), "faulty-proxy-up");
                up.setDaemon(true);
                up.start();
                pipe(upstream, client);
                up.join(10_000);
            }
        } catch (IOException | InterruptedException e) {
            // a connection that breaks mid-flight is what this proxy is for; the client retries
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // the other side closed
        }
    }

    /** Bytes up to and including the blank line ending the request head; null when the client hung up. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
