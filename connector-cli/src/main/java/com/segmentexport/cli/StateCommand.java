package com.segmentexport.cli;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.state.JdbcSyncStateStore;
import com.segmentexport.testkit.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code state list} and {@code state forget}: looks at and forgets what the sync state file holds. */
@Command(
    name = "state",
    mixinStandardHelpOptions = true,
    description = "Shows or forgets what the sync state file holds (see export --state).",
    subcommands = {StateCommand.ListCommand.class, StateCommand.ForgetCommand.class})
final class StateCommand implements Runnable {
  @ParentCommand SegmentExportCli cli;

  @Override
  public void run() {
    new CommandLine(this).usage(cli.out);
  }

  /** The state file a {@code state} command works on. */
  static final class FileOption {
    @Option(
        names = "--state",
        paramLabel = "FILE",
        description = "The sync state file. Default: " + StateOptions.DEFAULT_DESCRIPTION + ".")
    Path file;

    /** Opens the file, which must exist: a {@code state} command never creates one. */
    JdbcSyncStateStore open(SegmentExportCli cli) {
      Path f = file != null ? file : StateLocation.defaultFile(cli.env);
      if (!Files.isRegularFile(f)) {
        throw new UsageException(
            "no sync state file at "
                + f
                + (file == null ? " (the default; give --state FILE)" : ""));
      }
      return JdbcSyncStateStore.sqlite(f);
    }

    Path path(SegmentExportCli cli) {
      return file != null ? file : StateLocation.defaultFile(cli.env);
    }
  }

  /** Lists the destinations the state holds, with their members. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Lists the destination lists the sync state holds: connector, list id, vendor account "
              + "(a fingerprint, never a credential) and members remembered.")
  static final class ListCommand implements Callable<Integer> {
    @ParentCommand StateCommand parent;

    @Mixin FileOption state;

    @Override
    public Integer call() {
      SegmentExportCli cli = parent.cli;
      try (JdbcSyncStateStore store = state.open(cli)) {
        List<DestinationKey> keys =
            store.destinations().stream()
                .sorted(
                    Comparator.comparing(DestinationKey::connectorId)
                        .thenComparing(DestinationKey::destinationId)
                        .thenComparing(DestinationKey::account))
                .toList();
        cli.out.println("sync state " + state.path(cli) + ": " + keys.size() + " destination(s)");
        if (!keys.isEmpty()) {
          cli.out.printf("%-16s %-36s %-12s %10s%n", "connector", "list", "account", "members");
        }
        for (DestinationKey k : keys) {
          long members = store.find(k).map(s -> s.memberCount()).orElse(0L);
          cli.out.printf(
              "%-16s %-36s %-12s %10d%n",
              k.connectorId(),
              k.destinationId(),
              k.account().substring(0, Math.min(12, k.account().length())),
              members);
        }
        return ExitCodes.SUCCESS;
      }
    }
  }

  /** Forgets one destination list of one account: its next export sends every profile again. */
  @Command(
      name = "forget",
      mixinStandardHelpOptions = true,
      description = {
        "Forgets what the sync state holds for one destination list of one vendor account, so that "
            + "the next export to it sends every profile again. The account is the connection's (its settings "
            + "and credentials, as for export); nothing is sent to the vendor.",
        "Example: state forget -c iterable --list 12345 --privacy-consent-by \"Ops\""
      })
  static final class ForgetCommand implements Callable<Integer> {
    @ParentCommand StateCommand parent;

    @Mixin ConnectionOptions connection;

    @Mixin FileOption state;

    @Option(
        names = {"--list", "--destination"},
        paramLabel = "ID",
        required = true,
        description =
            "The vendor's id of the list (address book, list id) as 'state list' shows it.")
    String list;

    @Override
    public Integer call() {
      SegmentExportCli cli = parent.cli;
      if (connection.sandbox) {
        throw new UsageException(
            "the sandbox's sync state lasts only as long as one command: there is nothing "
                + "to forget");
      }
      Connectors connectors = Connectors.load();
      Connection c = connection.connection(connectors, cli.env, (Sandbox) null, cli.err);
      Path path = state.path(cli);
      try (JdbcSyncStateStore store = state.open(cli);
          SegmentExporter exporter = connectors.exporter(c)) {
        List<DestinationKey> sameList =
            store.destinations().stream()
                .filter(
                    k -> k.connectorId().equals(c.connectorId()) && k.destinationId().equals(list))
                .toList();
        long forgotten = exporter.forgetState(store, list);
        boolean gone = !store.destinations().containsAll(sameList);
        if (forgotten > 0 || gone) {
          cli.out.printf(
              "forgot %d member(s) of %s list %s in %s: its next export sends every profile%n",
              forgotten, c.provider().displayName(), list, path);
          return ExitCodes.SUCCESS;
        }
        if (!sameList.isEmpty()) {
          cli.err.println(
              "the sync state "
                  + path
                  + " holds "
                  + c.provider().displayName()
                  + " list "
                  + list
                  + " only for another account (other credentials or base URL): nothing forgotten");
        } else {
          List<String> lists =
              store.destinations().stream()
                  .filter(k -> k.connectorId().equals(c.connectorId()))
                  .map(DestinationKey::destinationId)
                  .distinct()
                  .sorted()
                  .toList();
          cli.err.println(
              "the sync state "
                  + path
                  + " holds nothing for "
                  + c.provider().displayName()
                  + " list "
                  + list
                  + (lists.isEmpty() ? "" : " (it holds: " + String.join(", ", lists) + ")")
                  + ": nothing forgotten");
        }
        return ExitCodes.FAILURE;
      }
    }
  }
}
