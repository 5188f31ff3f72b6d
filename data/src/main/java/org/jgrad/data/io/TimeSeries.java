package org.jgrad.data.io;

import java.util.Arrays;
import java.util.List;

/**
 * A univariate series with a time label per value (e.g. "2012-01-01"), and the lag-window
 * construction that turns it into supervised (window -> value {@code horizon} steps ahead) pairs.
 *
 * <pre>{@code
 * TimeSeries t = Temperature.seattleDaily();
 * TimeSeries[] parts = t.splitAt(t.indexOf("2015-01-01"));    // train 2012-2014, test 2015
 * RegressionData train = parts[0].lagWindows(14, 1);          // 14 days in, next day out
 * }</pre>
 *
 * @param name a description (for printing)
 * @param values the values in time order; not copied
 * @param times a label for each value
 */
public record TimeSeries(String name, float[] values, List<String> times) {
  public TimeSeries {
    times = List.copyOf(times);
    if (times.size() != values.length) {
      throw new IllegalArgumentException(
          "TimeSeries: " + values.length + " values but " + times.size() + " time labels");
    }
  }

  /** Number of values. */
  public int size() {
    return values.length;
  }

  /** The position of a time label; IllegalArgumentException if absent. */
  public int indexOf(String time) {
    int i = times.indexOf(time);
    if (i < 0)
      throw new IllegalArgumentException("TimeSeries " + name + ": no time '" + time + "'");
    return i;
  }

  /** {@code [0, index)} and {@code [index, size)}, for a chronological train/test split. */
  public TimeSeries[] splitAt(int index) {
    if (index < 0 || index > values.length) {
      throw new IllegalArgumentException(
          "TimeSeries.splitAt: index " + index + " outside [0, " + values.length + "]");
    }
    return new TimeSeries[] {
      new TimeSeries(name, Arrays.copyOfRange(values, 0, index), times.subList(0, index)),
      new TimeSeries(
          name,
          Arrays.copyOfRange(values, index, values.length),
          times.subList(index, values.length))
    };
  }

  /** Lag windows of this series; see {@link #lagWindows(float[], int, int)}. */
  public RegressionData lagWindows(int window, int horizon) {
    return lagWindows(values, window, horizon);
  }

  /**
   * Supervised pairs from a series: example {@code t} has inputs {@code series[t .. t+window-1]}
   * and target {@code series[t + window - 1 + horizon]} (horizon 1 = the next value). There are
   * {@code n - window - horizon + 1} examples.
   *
   * @throws IllegalArgumentException if window or horizon is below 1 or the series is too short
   */
  public static RegressionData lagWindows(float[] series, int window, int horizon) {
    if (window < 1 || horizon < 1) {
      throw new IllegalArgumentException(
          "lagWindows: window and horizon must be >= 1, got window "
              + window
              + ", horizon "
              + horizon);
    }
    int count = series.length - window - horizon + 1;
    if (count < 1) {
      throw new IllegalArgumentException(
          "lagWindows: a series of "
              + series.length
              + " values is too short for window "
              + window
              + " and horizon "
              + horizon
              + " (needs at least "
              + (window + horizon)
              + ")");
    }
    float[] x = new float[count * window];
    float[] y = new float[count];
    for (int t = 0; t < count; t++) {
      System.arraycopy(series, t, x, t * window, window);
      y[t] = series[t + window - 1 + horizon];
    }
    return new RegressionData(x, count, window, y, 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TimeSeries t
        && name.equals(t.name)
        && Arrays.equals(values, t.values)
        && times.equals(t.times);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "TimeSeries["
        + name
        + ", "
        + values.length
        + " values"
        + (values.length > 0 ? ", " + times.get(0) + " .. " + times.get(times.size() - 1) : "")
        + "]";
  }
}
