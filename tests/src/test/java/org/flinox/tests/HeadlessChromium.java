package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol (the JDK's WebSocket
 * client): open a page, read what it logs to its console, evaluate script in it, take a
 * screenshot. A fresh profile in a directory of the test's; {@link #close} ends the browser.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY = Duration.ofMinutes(2); // a guard on a loaded machine, not a wait

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

    private HeadlessChromium(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    static HeadlessChromium start(Path dir) throws Exception {
        assertThat(BINARY).as("Debian's chromium (apt-get install chromium; .ci/run installs it)").isExecutable();
        Path profile = Files.createDirectories(dir.resolve("profile"));
        Path log = dir.resolve("chromium.log");
        Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                "--window-size=1280,900", "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            LocalCluster.await("chromium's DevToolsActivePort", () -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("chromium exited with " + p.exitValue() + ": " + read(log));
                }
                return Files.isRegularFile(portFile) && read(portFile).lines().count() >= 2;
            });
            int port = Integer.parseInt(read(portFile).lines().findFirst().orElseThrow().trim());
            HttpClient http = HttpClient.newHttpClient();
            String[] page = new String[1];
            LocalCluster.await("a page target of chromium", () -> {
                try {
                    JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
                    for (JsonNode t : targets) {
                        if (t.path("type").asText().equals("page")) {
                            page[0] = t.path("webSocketDebuggerUrl").asText();
                        }
                    }
                    return page[0] != null;
                } catch (Exception e) {
                    return false;
                }
            });
            Listener listener = new Listener();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(page[0]), listener).get(1, TimeUnit.MINUTES);
            HeadlessChromium browser = new HeadlessChromium(p, ws);
            listener.browser = browser;
            browser.send("Runtime.enable", JSON.createObjectNode());
            browser.send("Log.enable", JSON.createObjectNode());
            browser.send("Page.enable", JSON.createObjectNode());
            return browser;
        } catch (Throwable e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** One DevTools command; its result (an error reply is a failure). */
    JsonNode send(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).get(1, TimeUnit.MINUTES);
        JsonNode r = reply.get(REPLY.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.has("error")).as("%s answered %s", method, r).isFalse();
        return r.path("result");
    }

    /** Opens the page and returns once its load event fired. */
    void open(URI page) throws Exception {
        loaded = new CompletableFuture<>();
        send("Page.navigate", JSON.createObjectNode().put("url", page.toString()));
        loaded.get(REPLY.toSeconds(), TimeUnit.SECONDS);
    }

    /** What the page's script gives back as JSON: {@code expression} must evaluate to a JSON string. */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
        assertThat(r.has("exceptionDetails")).as("evaluating the probe: %s", r.path("exceptionDetails")).isFalse();
        return JSON.readTree(r.path("result").path("value").asText());
    }

    /** A PNG of the whole page at {@code width} CSS pixels. */
    byte[] screenshot(int width) throws Exception {
        int height = evaluate("JSON.stringify(document.documentElement.scrollHeight)").asInt();
        send("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width).put("height", height)
                .put("deviceScaleFactor", 1).put("mobile", false));
        JsonNode shot = send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true));
        return Base64.getDecoder().decode(shot.path("data").asText());
    }

    /** Console errors, uncaught exceptions and error log entries since the browser started. */
    List<String> errors() {
        return new ArrayList<>(errors);
    }

    private void onMessage(JsonNode m) {
        if (m.has("id")) {
            CompletableFuture<JsonNode> reply = pending.remove(m.path("id").asInt());
            if (reply != null) {
                reply.complete(m);
            }
            return;
        }
        JsonNode params = m.path("params");
        switch (m.path("method").asText()) {
            case "Page.loadEventFired" -> loaded.complete(null);
            case "Runtime.consoleAPICalled" -> {
                if (List.of("error", "assert").contains(params.path("type").asText())) {
                    errors.add("console." + params.path("type").asText() + ": " + params.path("args"));
                }
            }
            case "Runtime.exceptionThrown" -> errors.add("exception: " + params.path("exceptionDetails"));
            case "Log.entryAdded" -> {
                if (params.path("entry").path("level").asText().equals("error")) {
                    errors.add("log: " + params.path("entry").path("text").asText() + " " + params.path("entry").path("url").asText());
                }
            }
            default -> {
                // other events: not needed
            }
        }
    }

    /** Reassembles fragmented text frames into messages. */
    private static final class Listener implements WebSocket.Listener {
        volatile HeadlessChromium browser;
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                try {
                    if (browser != null) {
                        browser.onMessage(JSON.readTree(message));
                    }
                } catch (Exception e) {
                    if (browser != null) {
                        browser.errors.add("unreadable DevTools message: " + e.getMessage());
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the browser goes anyway
        }
        List<ProcessHandle> children = process.descendants().toList(); // renderers, the zygote: started by this browser
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroy);
    }
}
