package com.segmentexport.api;

import java.util.List;

/**
 * A connection, mapping or export definition is invalid. Always raised before any network call.
 * {@link #problems()} lists every problem found, one sentence each, so that a form can show them all.
 */
public class ConfigurationException extends ExportException {
  /** Every problem found, one sentence each. */
  private final List<String> problems;

  /**
   * Creates an exception for one problem.
   *
   * @param problem the problem
   */
  public ConfigurationException(String problem) {
    super(problem);
    this.problems = List.of(problem);
  }

  /**
   * Creates an exception summarising several problems.
   *
   * @param summary a one-line summary
   * @param problems every problem found
   */
  public ConfigurationException(String summary, List<String> problems) {
    super(summary + ": " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** {@return every problem found} */
  public List<String> problems() {
    return problems;
  }
}
