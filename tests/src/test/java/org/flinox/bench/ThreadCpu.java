package org.flinox.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's threads while a job runs, by thread (the MiniCluster runs in this JVM,
 * so a task's thread is one of them), sampled every 50 ms from a daemon thread: a thread that
 * ends between two samples loses at most its last 50 ms. Threads are grouped by name without
 * their subtask and attempt numbers ({@code "parse (1/2)#0"} → {@code "parse"}), so the report
 * says which task or service spent the CPU. Also the process's CPU time (all threads, GC and
 * JIT included), which a loaded machine does not inflate the way it inflates wall time.
 */
final class ThreadCpu implements AutoCloseable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> cpu = new HashMap<>();
    private final Map<Long, Long> before = new HashMap<>();
    private final long processBefore = processCpuNanos();
    private long processAfter;
    private final Thread sampler;
    private volatile boolean running = true;

    ThreadCpu() {
        for (long id : THREADS.getAllThreadIds()) {
            before.put(id, THREADS.getThreadCpuTime(id));
        }
        sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private synchronized void sample() {
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = THREADS.getThreadCpuTime(ids[i]);
            if (t < 0 || infos[i] == null) {
                continue;
            }
            names.putIfAbsent(ids[i], infos[i].getThreadName());
            cpu.put(ids[i], t - before.getOrDefault(ids[i], 0L));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.join();
        sample();
        processAfter = processCpuNanos();
    }

    /** The process's CPU time between the start and {@link #close}, in seconds. */
    double processSeconds() {
        return (processAfter - processBefore) / 1e9;
    }

    /** CPU seconds by thread group, largest first, the sampler itself left out. */
    synchronized Map<String, Double> byGroup() {
        Map<String, Double> groups = new TreeMap<>();
        cpu.forEach((id, nanos) -> {
            String name = names.get(id);
            if (!name.equals("bench-cpu-sampler") && nanos > 0) {
                groups.merge(group(name), nanos / 1e9, Double::sum);
            }
        });
        return groups;
    }

    /** A thread's name without subtask index, attempt and trailing counters. */
    static String group(String name) {
        return name.replaceAll("\\s*\\(\\d+/\\d+\\)(#\\d+)?", "").replaceAll("[-# ]?\\d+$", "").trim();
    }
}
