package org.jgrad.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeSeriesTest {
  @Test
  void lagWindowsWithHorizonOne() {
    RegressionData d = TimeSeries.lagWindows(new float[] {1, 2, 3, 4, 5}, 3, 1);
    assertEquals(2, d.rows());
    assertEquals(3, d.inputCols());
    assertArrayEquals(new float[] {1, 2, 3, 2, 3, 4}, d.inputs());
    assertArrayEquals(new float[] {4, 5}, d.targets());
  }

  @Test
  void lagWindowsWithALongerHorizon() {
    // window [t, t+1], target at t + 1 + 3
    RegressionData d = TimeSeries.lagWindows(new float[] {0, 10, 20, 30, 40, 50, 60}, 2, 3);
    assertArrayEquals(new float[] {0, 10, 10, 20, 20, 30}, d.inputs());
    assertArrayEquals(new float[] {40, 50, 60}, d.targets());
  }

  @Test
  void tooShortSeriesAndBadArgumentsAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TimeSeries.lagWindows(new float[] {1, 2, 3}, 3, 1));
    assertTrue(e.getMessage().contains("needs at least 4"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> TimeSeries.lagWindows(new float[] {1, 2, 3}, 0, 1));
    assertThrows(
        IllegalArgumentException.class, () -> TimeSeries.lagWindows(new float[] {1, 2, 3}, 1, 0));
  }

  @Test
  void chronologicalSplit() {
    TimeSeries s =
        new TimeSeries(
            "t",
            new float[] {1, 2, 3, 4},
            List.of("2014-12-30", "2014-12-31", "2015-01-01", "2015-01-02"));
    TimeSeries[] parts = s.splitAt(s.indexOf("2015-01-01"));
    assertArrayEquals(new float[] {1, 2}, parts[0].values());
    assertEquals(List.of("2015-01-01", "2015-01-02"), parts[1].times());
    assertThrows(IllegalArgumentException.class, () -> s.indexOf("1999-01-01"));
    assertThrows(
        IllegalArgumentException.class, () -> new TimeSeries("x", new float[2], List.of("a")));
    RegressionData r = parts[1].lagWindows(1, 1);
    assertArrayEquals(new float[] {4}, r.targets());
  }
}
