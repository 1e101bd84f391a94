package com.segmentexport.testkit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Fails a binding of {@link SegmentExporterContract} that did not run every case of the contract. A
 * case aborted (an assumption), disabled, or never started fails the binding's class after its last
 * case, naming the cases.
 *
 * <p>Running some cases on purpose (an IDE's single case, {@code -Dtest=Binding#case}) needs the
 * JUnit configuration parameter (or system property) {@value #PARTIAL}{@code =true}; cases that did
 * run are still checked for being aborted or disabled.
 */
public final class ContractCoverage implements TestWatcher, AfterAllCallback {
  /** The configuration parameter that allows a run of only some cases. */
  public static final String PARTIAL = "segmentexport.contract.partial";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ContractCoverage.class);

  /** Creates the extension; JUnit does, through {@link SegmentExporterContract}'s annotation. */
  public ContractCoverage() {}

  /** The names of the contract's cases: its methods annotated {@link Test}, sorted. */
  public static List<String> cases() {
    return Arrays.stream(SegmentExporterContract.class.getDeclaredMethods())
        .filter(m -> m.isAnnotationPresent(Test.class))
        .map(Method::getName)
        .sorted()
        .toList();
  }

  @Override
  public void testSuccessful(ExtensionContext context) {
    outcomes(context).put(name(context), "passed");
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    outcomes(context).put(name(context), "failed");
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    outcomes(context)
        .put(name(context), "aborted (" + (cause == null ? "no reason" : cause.getMessage()) + ")");
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    outcomes(context).put(name(context), "disabled (" + reason.orElse("no reason") + ")");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Map<String, String> outcomes = classOutcomes(context);
    boolean partial =
        context.getConfigurationParameter(PARTIAL).map(Boolean::parseBoolean).orElse(false);
    List<String> problems = new ArrayList<>();
    for (String contractCase : cases()) {
      String outcome = outcomes.get(contractCase);
      if (outcome == null) {
        if (!partial) {
          problems.add(contractCase + ": never ran");
        }
      } else if (!outcome.equals("passed") && !outcome.equals("failed")) {
        problems.add(contractCase + ": " + outcome);
      }
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(
          context.getRequiredTestClass().getSimpleName()
              + " must run every case of the"
              + " contract (declare a missing Capability instead of skipping; set "
              + PARTIAL
              + "=true to run"
              + " only some cases on purpose): "
              + String.join("; ", problems));
    }
  }

  private static String name(ExtensionContext context) {
    return context.getTestMethod().map(Method::getName).orElse(context.getDisplayName());
  }

  private static Map<String, String> outcomes(ExtensionContext testContext) {
    return classOutcomes(testContext.getParent().orElseThrow());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> classOutcomes(ExtensionContext classContext) {
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent("outcomes", k -> new ConcurrentHashMap<String, String>(), Map.class);
  }
}
