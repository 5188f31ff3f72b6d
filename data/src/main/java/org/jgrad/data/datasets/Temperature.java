package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.data.io.CsvReader;
import org.jgrad.data.io.CsvTable;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.Downloader;
import org.jgrad.data.io.Progress;
import org.jgrad.data.io.RemoteFile;
import org.jgrad.data.io.TimeSeries;

/**
 * Daily city temperatures (NOAA observations, 2012-01-01 to 2015-12-31, 1461 days, no gaps) from
 * the vega-datasets package: Seattle ({@code temperature/seattle-weather.csv}) and Seattle plus New
 * York ({@code temperature/weather.csv}), in degrees Celsius. The daily mean is {@code (temp_max +
 * temp_min) / 2}. The series has no official split; a chronological one (e.g. 2015 as the test
 * year) is the usual choice.
 *
 * <pre>{@code
 * TimeSeries daily = Temperature.seattleDaily();
 * TimeSeries[] parts = daily.splitAt(daily.indexOf("2015-01-01"));     // train 2012-2014, test 2015
 * RegressionData train = parts[0].lagWindows(30, 1);
 * TimeSeries monthly = Temperature.monthlyMeans(daily);                  // 48 months
 * }</pre>
 */
public final class Temperature {
  private static final String BASE = "https://cdn.jsdelivr.net/npm/vega-datasets@3.2.1/data/";

  /** Seattle daily weather. */
  public static final RemoteFile SEATTLE_FILE =
      RemoteFile.store(
          "temperature/seattle-weather.csv",
          "0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be",
          BASE + "seattle-weather.csv");

  /** Seattle and New York daily weather (with a location column). */
  public static final RemoteFile WEATHER_FILE =
      RemoteFile.store(
          "temperature/weather.csv",
          "27219f1ca8dbd94c9b6f4b9f4f52ab2f1eb33dfdcf719cd9fc6481ed50b74549",
          BASE + "weather.csv");

  /**
   * Nottingham Castle monthly mean air temperature, January 1920 to December 1939 (R's {@code
   * datasets::nottem}, Anderson 1976), as {@code year,month,temp_f}. No package outside R carries
   * it, so it is written by {@code data/fetch.sh --with-r} (needs Rscript) and never downloaded
   * here.
   */
  public static final String NOTTINGHAM_FILE = "temperature/nottem.csv";

  private Temperature() {}

  /** Nottingham's monthly mean temperature (240 months, converted to degrees Celsius). */
  public static TimeSeries nottingham() throws IOException {
    return nottingham(DataDir.root());
  }

  /**
   * Nottingham's monthly mean temperature from {@code root}/{@value #NOTTINGHAM_FILE}, in degrees
   * Celsius ((F - 32) * 5 / 9), time labels "YYYY-MM".
   *
   * @throws IOException if the file is missing (saying how to make it) or is not the expected table
   */
  public static TimeSeries nottingham(Path root) throws IOException {
    Path p = root.resolve(NOTTINGHAM_FILE);
    if (!java.nio.file.Files.isRegularFile(p)) {
      throw new java.nio.file.NoSuchFileException(
          p.toString(),
          null,
          "Nottingham monthly temperatures (R's datasets::nottem) are not in the data directory; "
              + "run `data/fetch.sh --with-r` (needs Rscript, Debian r-base-core) to write them");
    }
    CsvTable t = CsvReader.read(p, CsvReader.Options.DEFAULT.withHeader(true));
    float[] year = t.numericColumn("year");
    float[] month = t.numericColumn("month");
    float[] f = t.numericColumn("temp_f");
    List<String> times = new ArrayList<>();
    float[] c = new float[f.length];
    for (int i = 0; i < f.length; i++) {
      int m = (int) month[i];
      if (m < 1 || m > 12 || m != month[i]) {
        throw new IOException(
            p + ": row " + (i + 1) + " has month " + month[i] + ", expected 1-12");
      }
      times.add(String.format(java.util.Locale.ROOT, "%04d-%02d", (int) year[i], m));
      c[i] = (f[i] - 32f) * 5f / 9f;
    }
    if (c.length == 0) throw new IOException(p + ": no rows, expected 240 months");
    return new TimeSeries("Nottingham monthly mean temperature (C)", c, times);
  }

  /** Seattle's daily mean temperature, 1461 days. */
  public static TimeSeries seattleDaily() throws IOException {
    return seattleDaily(DataDir.root(), !DataDir.offline());
  }

  /** Seattle's daily mean temperature from {@code root}. */
  public static TimeSeries seattleDaily(Path root, boolean allowDownload) throws IOException {
    Path p = Downloader.ensure(SEATTLE_FILE, root, Progress.console(), allowDownload);
    CsvTable t = CsvReader.read(p, CsvReader.Options.DEFAULT.withHeader(true));
    return dailyMean("Seattle", t, null);
  }

  /** The daily mean temperature of "Seattle" or "New York". */
  public static TimeSeries daily(String location) throws IOException {
    return daily(location, DataDir.root(), !DataDir.offline());
  }

  /** The daily mean temperature of a location in {@code weather.csv} under {@code root}. */
  public static TimeSeries daily(String location, Path root, boolean allowDownload)
      throws IOException {
    Path p = Downloader.ensure(WEATHER_FILE, root, Progress.console(), allowDownload);
    CsvTable t = CsvReader.read(p, CsvReader.Options.DEFAULT.withHeader(true));
    return dailyMean(location, t, location);
  }

  private static TimeSeries dailyMean(String name, CsvTable t, String location) throws IOException {
    String[] dates = t.column(t.columnIndex("date"));
    float[] tmax = t.numericColumn("temp_max");
    float[] tmin = t.numericColumn("temp_min");
    String[] loc = location == null ? null : t.column(t.columnIndex("location"));
    List<String> times = new ArrayList<>();
    List<Float> values = new ArrayList<>();
    for (int i = 0; i < dates.length; i++) {
      if (loc != null && !loc[i].equals(location)) continue;
      times.add(dates[i]);
      values.add((tmax[i] + tmin[i]) / 2);
    }
    if (times.isEmpty()) {
      throw new IllegalArgumentException(
          "Temperature: no rows for location '" + location + "' in " + t.source());
    }
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) v[i] = values.get(i);
    return new TimeSeries(name + " daily mean temperature (C)", v, times);
  }

  /** Monthly means of a daily series whose time labels start with "YYYY-MM". */
  public static TimeSeries monthlyMeans(TimeSeries daily) {
    Map<String, double[]> acc = new LinkedHashMap<>();
    for (int i = 0; i < daily.size(); i++) {
      String time = daily.times().get(i);
      if (time.length() < 7)
        throw new IllegalArgumentException("monthlyMeans: time '" + time + "' is not YYYY-MM...");
      double[] s = acc.computeIfAbsent(time.substring(0, 7), k -> new double[2]);
      s[0] += daily.values()[i];
      s[1]++;
    }
    float[] v = new float[acc.size()];
    List<String> months = new ArrayList<>(acc.keySet());
    int k = 0;
    for (double[] s : acc.values()) v[k++] = (float) (s[0] / s[1]);
    return new TimeSeries(daily.name().replace("daily", "monthly"), v, months);
  }
}
