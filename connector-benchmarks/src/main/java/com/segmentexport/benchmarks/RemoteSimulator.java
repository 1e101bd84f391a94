package com.segmentexport.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link SimulatorServer} running as a child JVM, pinned with {@code taskset} to one CPU when it
 * can be. The child never outlives this JVM: {@link #close()} closes its stdin (on which it exits)
 * and destroys it if it lingers, a shutdown hook does the same on an abrupt exit, and if this JVM is
 * killed outright the child's stdin ends and it exits on its own. {@link #command(String)} sends
 * the server one of its commands and returns the answer.
 */
final class RemoteSimulator implements AutoCloseable {
  private static final long START_TIMEOUT_SECONDS = 60;
  private static final long STOP_TIMEOUT_SECONDS = 10;
  private static final long COMMAND_TIMEOUT_SECONDS = 300;

  private final Process process;
  private final Path stderr;
  private final Thread shutdownHook;
  private final SimulatorEndpoint endpoint;
  private final boolean pinned;
  private final BlockingQueue<String> replies;

  private RemoteSimulator(
      Process process,
      Path stderr,
      Thread shutdownHook,
      SimulatorEndpoint endpoint,
      boolean pinned,
      BlockingQueue<String> replies) {
    this.process = process;
    this.stderr = stderr;
    this.shutdownHook = shutdownHook;
    this.endpoint = endpoint;
    this.pinned = pinned;
    this.replies = replies;
  }

  /**
   * Starts the simulator server of a connector on CPU {@code cpu} and waits for its connect line.
   * Without {@code taskset} on the PATH it starts unpinned (see {@link #pinned()}).
   *
   * @throws IllegalStateException if the child exits, or prints no connect line in time; the message
   *     carries the child's stderr
   */
  static RemoteSimulator launch(String connector, int cpu)
      throws IOException, InterruptedException {
    return launch(connector, cpu, List.of("-Xmx1g"));
  }

  /**
   * Starts the simulator server of a connector in a JVM with these options (such as {@code -Xmx1g}),
   * pinned to CPU {@code cpu}, or unpinned when {@code cpu} is negative, and waits for its connect
   * line.
   *
   * @throws IllegalStateException if the child exits, or prints no connect line in time; the message
   *     carries the child's stderr
   */
  static RemoteSimulator launch(String connector, int cpu, List<String> jvmOptions)
      throws IOException, InterruptedException {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            SimulatorServer.class.getName(),
            connector));
    Path stderr = Files.createTempFile("simulator-" + connector + "-", ".log");
    stderr.toFile().deleteOnExit();
    List<String> pinnedCommand = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
    pinnedCommand.addAll(command);
    Process process;
    boolean pinned;
    if (cpu < 0) {
      process = start(command, stderr);
      pinned = false;
    } else {
      try {
        process = start(pinnedCommand, stderr);
        pinned = true;
      } catch (IOException e) {
        System.err.println(
            "taskset is not available (" + e.getMessage() + "): the simulator runs unpinned");
        process = start(command, stderr);
        pinned = false;
      }
    }
    Process child = process;
    Thread hook = new Thread(child::destroyForcibly, "stop-simulator-server");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      BlockingQueue<String> replies = new LinkedBlockingQueue<>();
      String line = connectLine(child, pinned ? pinnedCommand : command, stderr, replies);
      return new RemoteSimulator(
          child, stderr, hook, SimulatorEndpoint.parse(line), pinned, replies);
    } catch (RuntimeException | IOException | InterruptedException e) {
      stop(child);
      removeHook(hook);
      throw e;
    }
  }

  /** Where and how to connect to the child's simulator. */
  SimulatorEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Whether the child is pinned to its CPU ({@code false} if {@code taskset} was missing or no CPU was
   * asked for).
   */
  boolean pinned() {
    return pinned;
  }

  /**
   * Sends the server one command line (see {@link SimulatorServer}) and waits for its answer.
   *
   * @return the answer without its {@code REPLY} prefix
   * @throws IllegalStateException if the server answers with an error, or not in time
   */
  synchronized String command(String line) throws IOException, InterruptedException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
    String reply = replies.poll(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (reply == null) {
      throw new IllegalStateException(
          "the simulator server did not answer in "
              + COMMAND_TIMEOUT_SECONDS
              + " s (alive: "
              + process.isAlive()
              + ")");
    }
    if (reply.startsWith("error=")) {
      throw new IllegalStateException(
          "the simulator server refused a command: "
              + SimulatorServer.decode(reply.substring("error=".length())));
    }
    return reply;
  }

  /** Stops the child and copies what it wrote to stderr, if anything, to this JVM's stderr. */
  @Override
  public void close() {
    stop(process);
    removeHook(shutdownHook);
    String log = read(stderr);
    if (!log.isBlank()) {
      System.err.print("simulator server stderr:\n" + log);
    }
    try {
      Files.deleteIfExists(stderr);
    } catch (IOException e) {
      // A temporary file left behind is harmless; it is also deleted on exit.
    }
  }

  private static Process start(List<String> command, Path stderr) throws IOException {
    return new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
        .start();
  }

  /**
   * Reads the child's stdout on a daemon thread until the connect line; afterwards answers to commands
   * go to {@code replies}, and any other line goes to this JVM's stderr, so that the child can never
   * block on a full pipe.
   */
  private static String connectLine(
      Process child, List<String> command, Path stderr, BlockingQueue<String> replies)
      throws IOException, InterruptedException {
    CompletableFuture<String> line = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = out.readLine()) != null) {
                  if (!line.isDone() && l.startsWith(SimulatorEndpoint.LINE_PREFIX)) {
                    line.complete(l);
                  } else if (line.isDone() && l.startsWith(SimulatorServer.REPLY)) {
                    replies.add(l.substring(SimulatorServer.REPLY.length()));
                  } else {
                    System.err.println("simulator server stdout: " + l);
                  }
                }
              } catch (IOException e) {
                line.completeExceptionally(e);
              }
              line.completeExceptionally(new IOException("stdout ended without a connect line"));
            },
            "simulator-server-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      return line.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      String why =
          e instanceof TimeoutException
              ? "printed no connect line in " + START_TIMEOUT_SECONDS + " s"
              : e.getCause().getMessage();
      if (child.waitFor(2, TimeUnit.SECONDS)) {
        why += " (exit code " + child.exitValue() + ")";
      }
      throw new IllegalStateException(
          "The simulator server did not start: "
              + why
              + "\ncommand: "
              + String.join(" ", command)
              + "\nits stderr:\n"
              + read(stderr));
    }
  }

  private static void stop(Process child) {
    try {
      child.getOutputStream().close(); // the server exits when its stdin ends
      if (!child.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        child.destroy();
        if (!child.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          child.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      child.destroyForcibly();
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook runs, which is what is wanted.
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
