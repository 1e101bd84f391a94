package com.segmentexport.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.spi.ConnectorProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A null given to {@link Connectors}' factories is named, as at every other entry point. */
class ConnectorsArgumentsTest {
  @Test
  void aNullListOfProvidersIsNamed() {
    assertThatThrownBy(() -> Connectors.of((List<ConnectorProvider>) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("providers == null");
    assertThatThrownBy(() -> Connectors.of((ConnectorProvider[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("providers == null");
  }
}
