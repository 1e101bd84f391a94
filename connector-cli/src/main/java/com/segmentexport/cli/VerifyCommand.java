package com.segmentexport.cli;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testkit.Sandbox;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** Checks a connection's credentials with one call to the vendor. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Checks a connection's credentials with one cheap call.")
final class VerifyCommand implements Callable<Integer> {
  @ParentCommand SegmentExportCli cli;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    Connectors connectors = Connectors.load();
    try (Sandbox box = connection.startSandbox()) {
      Connection c = connection.connection(connectors, cli.env, box, cli.err);
      try (SegmentExporter exporter = connectors.exporter(c)) {
        exporter.verify();
        cli.out.println("OK: " + c.provider().displayName() + " accepted the credentials.");
        return ExitCodes.SUCCESS;
      } catch (AuthenticationException e) {
        cli.err.println("refused: " + e.getMessage());
        return ExitCodes.FAILURE;
      } catch (ExportException e) {
        cli.err.println("failed: " + e.getMessage());
        return ExitCodes.FAILURE;
      }
    }
  }
}
