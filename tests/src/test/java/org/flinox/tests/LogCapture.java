package org.flinox.tests;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects every INFO-or-above log message of this JVM (the embedded MiniCluster runs here)
 * while open, whatever class logs it; the console stays at its usual WARN.
 */
final class LogCapture implements AutoCloseable {
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final LoggerConfig root;
    private final Level oldLevel;
    private final Appender capture;

    LogCapture() {
        Configuration config = context.getConfiguration();
        root = config.getRootLogger();
        oldLevel = root.getLevel();
        capture = new AbstractAppender("flinox-test-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        Appender console = config.getAppender("console");
        if (console != null) {
            root.removeAppender("console");
            root.addAppender(console, Level.WARN, null);
        }
        root.addAppender(capture, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
    }

    /** The messages so far that contain every one of {@code parts}. */
    List<String> containing(String... parts) {
        return messages.stream().filter(m -> java.util.Arrays.stream(parts).allMatch(m::contains)).toList();
    }

    @Override
    public void close() {
        root.removeAppender(capture.getName());
        root.setLevel(oldLevel);
        Appender console = context.getConfiguration().getAppender("console");
        if (console != null) {
            root.removeAppender("console");
            root.addAppender(console, null, null);
        }
        context.updateLoggers();
        capture.stop();
    }
}
