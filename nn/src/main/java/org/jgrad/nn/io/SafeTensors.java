package org.jgrad.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jgrad.backend.DType;
import org.jgrad.json.Json;
import org.jgrad.tensor.Tensor;
import org.jgrad.util.AtomicFiles;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format,
 * so weights move between jgrad and PyTorch in both directions.
 *
 * <p>Layout: an 8-byte little-endian header length {@code N}, then {@code N} bytes of UTF-8 JSON
 * mapping each tensor name to {@code {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}}
 * (offsets relative to the data section) and an optional {@code "__metadata__"} string map, then
 * the raw little-endian data. jgrad writes F32, F64, I64 and BOOL; it reads those plus F16, BF16
 * (as float32) and I8/I16/I32/U8 (as int64).
 *
 * <p>Writes are atomic: the file is written under a temporary name in the same directory, forced to
 * disk, then renamed over the target, so a crash mid-save never leaves a truncated file under the
 * real name. Reads validate the header and every offset and refuse truncated or corrupt files with
 * an {@link IOException} naming the file.
 *
 * <pre>{@code
 * SafeTensors.save(model.stateDict(), Path.of("model.safetensors"));
 * Map<String, Tensor> weights = SafeTensors.load(Path.of("model.safetensors"));
 * model.loadStateDict(weights);
 * }</pre>
 */
public final class SafeTensors {
  /** Headers larger than this are treated as corrupt (the reference implementation uses 100 MB). */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private SafeTensors() {}

  /** Tensors and the free-form string metadata of a file. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  /** Saves {@code tensors} (in map order) to {@code file}, atomically. */
  public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
    save(tensors, Map.of(), file);
  }

  /**
   * Saves {@code tensors} with string {@code metadata} under {@code "__metadata__"}, atomically.
   */
  public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file)
      throws IOException {
    save(tensors, metadata, file, UnaryOperator.identity());
  }

  /**
   * As {@link #save(Map, Map, Path)}, with the output channel wrapped (tests inject failures here).
   */
  static void save(
      Map<String, Tensor> tensors,
      Map<String, String> metadata,
      Path file,
      UnaryOperator<WritableByteChannel> wrap)
      throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    if (!metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      String name = e.getKey();
      Tensor t = e.getValue();
      if (name.equals("__metadata__"))
        throw new IllegalArgumentException("safetensors: '__metadata__' is reserved");
      if (t == null)
        throw new IllegalArgumentException("safetensors: tensor '" + name + "' is null");
      long bytes = (long) t.numel() * t.dtype().byteSize();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", code(t.dtype()));
      entry.put("shape", t.shape());
      entry.put("data_offsets", new long[] {offset, offset + bytes});
      header.put(name, entry);
      offset += bytes;
    }
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    // Pad the header with spaces so the data section starts 8-byte aligned, as the reference writer
    // does.
    int padded = (json.length + 7) / 8 * 8;
    byte[] head = Arrays.copyOf(json, padded);
    Arrays.fill(head, json.length, padded, (byte) ' ');

    // Temporary sibling, fsync, atomic rename, fsync of the directory; stale temporaries are swept.
    AtomicFiles.write(
        file,
        ch -> {
          WritableByteChannel out = wrap.apply(ch);
          ByteBuffer len =
              ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip();
          writeFully(out, len);
          writeFully(out, ByteBuffer.wrap(head));
          for (Tensor t : tensors.values()) writeFully(out, encode(t));
        });
  }

  private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) ch.write(b);
  }

  private static String code(DType d) {
    return switch (d) {
      case FLOAT32 -> "F32";
      case FLOAT64 -> "F64";
      case INT64 -> "I64";
      case BOOL -> "BOOL";
    };
  }

  private static ByteBuffer encode(Tensor t) {
    int n = t.numel();
    ByteBuffer b = ByteBuffer.allocate(n * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.dtype()) {
      case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
      case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
      case INT64 -> b.asLongBuffer().put(t.toLongArray());
      case BOOL -> {
        for (double v : t.toDoubleArray()) b.put((byte) (v != 0 ? 1 : 0));
        b.flip();
      }
    }
    b.position(0);
    b.limit(b.capacity());
    return b;
  }

  /** Loads every tensor of {@code file}, in the order of the file's header. */
  public static Map<String, Tensor> load(Path file) throws IOException {
    return read(file).tensors();
  }

  /** Loads the tensors and the metadata of {@code file}. */
  public static Contents read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw corrupt(
            file,
            "truncated: "
                + size
                + " bytes, but a safetensors file starts with an 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0, file);
      long n = lenBuf.flip().getLong();
      if (n < 2 || n > MAX_HEADER_BYTES) throw corrupt(file, "corrupt header length " + n);
      if (n > size - 8) {
        throw corrupt(
            file,
            "truncated: the header claims " + n + " bytes but only " + (size - 8) + " follow");
      }
      ByteBuffer headBuf = ByteBuffer.allocate((int) n);
      readFully(ch, headBuf, 8, file);
      String text = new String(headBuf.array(), StandardCharsets.UTF_8);
      Map<String, Object> header;
      try {
        header = Json.parseObject(text);
      } catch (IllegalArgumentException e) {
        throw corrupt(file, "corrupt header (" + e.getMessage() + ")");
      }
      long dataStart = 8 + n, dataLen = size - dataStart;
      Map<String, String> metadata = new LinkedHashMap<>();
      List<Entry> entries = new ArrayList<>();
      for (Map.Entry<String, Object> e : header.entrySet()) {
        if (e.getKey().equals("__metadata__")) {
          if (!(e.getValue() instanceof Map<?, ?> m))
            throw corrupt(file, "__metadata__ must be an object");
          for (Map.Entry<?, ?> me : m.entrySet()) {
            if (!(me.getValue() instanceof String v)) {
              throw corrupt(file, "__metadata__ value for '" + me.getKey() + "' must be a string");
            }
            metadata.put((String) me.getKey(), v);
          }
          continue;
        }
        entries.add(parseEntry(file, e.getKey(), e.getValue()));
      }
      // The data section must be covered exactly: no holes, overlaps or trailing bytes.
      List<Entry> sorted = new ArrayList<>(entries);
      sorted.sort((a, b) -> Long.compare(a.begin, b.begin));
      long at = 0;
      for (Entry en : sorted) {
        if (en.begin != at) {
          throw corrupt(
              file,
              "tensor '"
                  + en.name
                  + "' starts at byte "
                  + en.begin
                  + " of the data section, expected "
                  + at
                  + " (holes or overlaps)");
        }
        at = en.end;
      }
      if (at > dataLen) {
        throw corrupt(
            file,
            "truncated: the tensors need "
                + at
                + " bytes of data but only "
                + dataLen
                + " are present");
      }
      if (at < dataLen) {
        throw corrupt(
            file, "corrupt: " + (dataLen - at) + " unexpected bytes after the last tensor");
      }
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (Entry en : entries) {
        long len = en.end - en.begin;
        if (len > Integer.MAX_VALUE - 16)
          throw corrupt(file, "tensor '" + en.name + "' is too large (" + len + " bytes)");
        ByteBuffer b = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, b, dataStart + en.begin, file);
        b.flip();
        tensors.put(en.name, decode(en, b));
      }
      return new Contents(tensors, metadata);
    }
  }

  private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

  private static Entry parseEntry(Path file, String name, Object value) throws IOException {
    if (!(value instanceof Map<?, ?> m))
      throw corrupt(file, "entry '" + name + "' is not an object");
    if (!(m.get("dtype") instanceof String dtype))
      throw corrupt(file, "entry '" + name + "' has no dtype");
    int size = elementSize(dtype);
    if (size < 0) throw corrupt(file, "entry '" + name + "' has unsupported dtype " + dtype);
    if (!(m.get("shape") instanceof List<?> shapeList))
      throw corrupt(file, "entry '" + name + "' has no shape");
    int[] shape = new int[shapeList.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      long d = integral(shapeList.get(i));
      if (d < 0 || d > Integer.MAX_VALUE)
        throw corrupt(file, "entry '" + name + "' has an invalid shape " + shapeList);
      shape[i] = (int) d;
      numel *= d;
      if (numel > Integer.MAX_VALUE)
        throw corrupt(file, "entry '" + name + "' is too large: shape " + shapeList);
    }
    long b = -1, e = -1;
    if (m.get("data_offsets") instanceof List<?> off && off.size() == 2) {
      b = integral(off.get(0));
      e = integral(off.get(1));
    }
    if (b < 0 || e < b)
      throw corrupt(file, "entry '" + name + "' has invalid data_offsets " + m.get("data_offsets"));
    if (e - b != numel * size) {
      throw corrupt(
          file,
          "entry '"
              + name
              + "' has "
              + (e - b)
              + " bytes of data but shape "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + numel * size);
    }
    return new Entry(name, dtype, shape, b, e);
  }

  /** A JSON number that is a non-negative integer (exact below 2^53), else −1. */
  private static long integral(Object v) {
    if (!(v instanceof Number n)) return -1;
    double d = n.doubleValue();
    return d == Math.rint(d) && d >= 0 && d <= 0x1p53 ? (long) d : -1;
  }

  private static int elementSize(String dtype) {
    return switch (dtype) {
      case "F64", "I64" -> 8;
      case "F32", "I32" -> 4;
      case "F16", "BF16", "I16" -> 2;
      case "I8", "U8", "BOOL" -> 1;
      default -> -1;
    };
  }

  private static Tensor decode(Entry en, ByteBuffer b) {
    int n = (int) ((en.end - en.begin) / Math.max(1, elementSize(en.dtype)));
    int[] shape = en.shape;
    switch (en.dtype) {
      case "F32":
        {
          float[] v = new float[n];
          b.asFloatBuffer().get(v);
          return Tensor.of(v, shape.length == 0 ? new int[0] : shape).reshape(shape);
        }
      case "F64":
        {
          double[] v = new double[n];
          b.asDoubleBuffer().get(v);
          return Tensor.of(v, shape.length == 0 ? new int[0] : shape).reshape(shape);
        }
      case "F16":
      case "BF16":
        {
          float[] v = new float[n];
          for (int i = 0; i < n; i++) {
            short h = b.getShort();
            v[i] =
                en.dtype.equals("F16")
                    ? Float.float16ToFloat(h)
                    : Float.intBitsToFloat((h & 0xFFFF) << 16);
          }
          return Tensor.of(v, shape.length == 0 ? new int[0] : shape).reshape(shape);
        }
      default:
        {
          long[] v = new long[n];
          for (int i = 0; i < n; i++) {
            v[i] =
                switch (en.dtype) {
                  case "I64" -> b.getLong();
                  case "I32" -> b.getInt();
                  case "I16" -> b.getShort();
                  case "I8" -> b.get();
                  default -> b.get() & 0xFF; // U8, BOOL
                };
          }
          Tensor t = Tensor.ofLongs(v, shape.length == 0 ? new int[0] : shape).reshape(shape);
          return en.dtype.equals("BOOL") ? t.ne(0) : t;
        }
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position, Path file)
      throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      int r = ch.read(b, p);
      if (r < 0) throw corrupt(file, "truncated: unexpected end of file at byte " + p);
      p += r;
    }
  }

  private static IOException corrupt(Path file, String what) {
    return new IOException("safetensors file " + file + ": " + what);
  }
}
