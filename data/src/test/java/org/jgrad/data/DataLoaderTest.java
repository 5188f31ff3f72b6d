package org.jgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import org.jgrad.backend.DType;
import org.jgrad.data.transforms.Transforms;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
  /** Inputs row i = [i, 10 i], target i: every batch reveals which examples it holds. */
  static TensorDataset indexed(int n) {
    float[] x = new float[2 * n];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = 10 * i;
      y[i] = i;
    }
    return new TensorDataset(Tensor.of(x, n, 2), Tensor.ofLongs(y, n));
  }

  static List<long[]> epoch(DataLoader loader) {
    List<long[]> out = new ArrayList<>();
    for (Batch b : loader) {
      long[] ids = b.targets().toLongArray();
      float[] x = b.inputs().toFloatArray();
      assertArrayEquals(new int[] {ids.length, 2}, b.inputs().shape());
      for (int k = 0; k < ids.length; k++) {
        assertEquals(ids[k], x[2 * k], "input row must belong to its target");
        assertEquals(10 * ids[k], x[2 * k + 1]);
      }
      out.add(ids);
    }
    return out;
  }

  static long[] flat(List<long[]> batches) {
    return batches.stream().flatMapToLong(Arrays::stream).toArray();
  }

  @Test
  void sequentialBatchesKeepTheLastPartialOne() {
    DataLoader loader = new DataLoader(indexed(10), 4);
    assertEquals(3, loader.size());
    List<long[]> b = epoch(loader);
    assertEquals(3, b.size());
    assertArrayEquals(new long[] {0, 1, 2, 3}, b.get(0));
    assertArrayEquals(new long[] {8, 9}, b.get(2));
  }

  @Test
  void dropLastDropsThePartialBatch() {
    DataLoader loader = DataLoader.builder(indexed(10)).batchSize(4).dropLast(true).build();
    assertEquals(2, loader.size());
    List<long[]> b = epoch(loader);
    assertEquals(2, b.size());
    assertEquals(8, flat(b).length);
  }

  @Test
  void shuffleCoversEveryExampleOnceAndIsReproducible() {
    TensorDataset ds = indexed(103);
    DataLoader a = new DataLoader(ds, 16, true, 42);
    DataLoader b = new DataLoader(ds, 16, true, 42);
    long[] a0 = flat(epoch(a));
    long[] a1 = flat(epoch(a));
    long[] b0 = flat(epoch(b));
    long[] b1 = flat(epoch(b));
    assertArrayEquals(a0, b0, "same seed, same first epoch");
    assertArrayEquals(a1, b1, "same seed, same second epoch");
    assertFalse(Arrays.equals(a0, a1), "consecutive epochs must be shuffled differently");
    long[] sorted = a0.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
    long[] identity = new long[103];
    for (int i = 0; i < 103; i++) identity[i] = i;
    assertFalse(Arrays.equals(identity, a0), "a shuffled epoch is not the identity order");
    assertFalse(
        Arrays.equals(a0, flat(epoch(new DataLoader(ds, 16, true, 43)))),
        "another seed, another order");
  }

  @Test
  void setEpochReplaysAnEpochsOrder() {
    DataLoader loader = new DataLoader(indexed(50), 8, true, 7);
    epoch(loader);
    long[] second = flat(epoch(loader));
    assertEquals(2, loader.epoch());
    loader.setEpoch(1);
    assertArrayEquals(second, flat(epoch(loader)));
    long[] order = Arrays.stream(loader.order(1)).asLongStream().toArray();
    assertArrayEquals(second, order);
  }

  @Test
  void prefetchGivesTheSameBatchesAsNoPrefetch() {
    TensorDataset ds = indexed(77);
    DataLoader on =
        DataLoader.builder(ds)
            .batchSize(10)
            .shuffle(5)
            .prefetch(true)
            .transform(Transforms.gaussianNoise(0.5, 9))
            .build();
    DataLoader off =
        DataLoader.builder(ds)
            .batchSize(10)
            .shuffle(5)
            .prefetch(false)
            .transform(Transforms.gaussianNoise(0.5, 9))
            .build();
    for (int e = 0; e < 2; e++) {
      Iterator<Batch> i1 = on.iterator();
      Iterator<Batch> i2 = off.iterator();
      while (i1.hasNext()) {
        Batch x = i1.next();
        Batch y = i2.next();
        assertArrayEquals(y.inputs().toFloatArray(), x.inputs().toFloatArray());
        assertArrayEquals(y.targets().toLongArray(), x.targets().toLongArray());
      }
      assertFalse(i2.hasNext());
      assertThrows(NoSuchElementException.class, i1::next);
    }
  }

  @Test
  void prefetchCollatesOnAWorkerThreadAndTransformsOnTheCaller() {
    AtomicReference<String> collated = new AtomicReference<>();
    AtomicReference<String> transformed = new AtomicReference<>();
    DataLoader loader =
        DataLoader.builder(indexed(4))
            .batchSize(2)
            .collate(
                ex -> {
                  collated.set(Thread.currentThread().getName());
                  return Collate.stack(ex);
                })
            .transform(
                x -> {
                  transformed.set(Thread.currentThread().getName());
                  return x;
                })
            .build();
    for (Batch ignored : loader) {
      // consume
    }
    assertEquals("jgrad-dataloader-prefetch", collated.get());
    assertEquals(Thread.currentThread().getName(), transformed.get());
  }

  @Test
  void workerExceptionsReachTheCaller() {
    DataLoader loader =
        DataLoader.builder(indexed(4))
            .batchSize(2)
            .transform(
                x -> {
                  throw new IllegalStateException("boom in transform");
                })
            .build();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> loader.iterator().next());
    assertEquals("boom in transform", e.getCause().getMessage());
    assertTrue(
        e.getMessage().startsWith("DataLoader: building batch 0 of 2 in epoch 0 failed:"),
        e.getMessage());
  }

  /** Examples 0..n-1; fetching example {@code bad} throws, as a corrupt file would. */
  static Dataset<Example> failingAt(int n, int bad) {
    TensorDataset ds = indexed(n);
    return new Dataset<>() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Example get(int i) {
        if (i == bad) throw new IllegalArgumentException("example " + i + " is corrupt");
        return ds.get(i);
      }
    };
  }

  @Test
  void aBatchThatThrowsIsReportedOnceAndTheRestOfTheEpochIsStillDelivered() {
    for (boolean prefetch : new boolean[] {true, false}) {
      // Batches of 3 over 10 examples: [0,1,2] [3,4,5] [6,7,8] [9]; example 4 breaks batch 1.
      DataLoader loader =
          DataLoader.builder(failingAt(10, 4)).batchSize(3).prefetch(prefetch).build();
      for (int epoch = 0; epoch < 2; epoch++) {
        Iterator<Batch> it = loader.iterator();
        assertArrayEquals(new long[] {0, 1, 2}, it.next().targets().toLongArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
        assertEquals("example 4 is corrupt", e.getCause().getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException);
        assertEquals(
            "DataLoader: building batch 1 of 4 in epoch "
                + epoch
                + " failed: java.lang.IllegalArgumentException:"
                + " example 4 is corrupt (the next call continues with batch 2)",
            e.getMessage());
        // Reported once: the following calls deliver the following batches.
        assertTrue(it.hasNext());
        assertArrayEquals(new long[] {6, 7, 8}, it.next().targets().toLongArray());
        assertArrayEquals(new long[] {9}, it.next().targets().toLongArray());
        assertFalse(it.hasNext());
      }
    }
  }

  @Test
  void prefetchDoesNotChangeASeededTransformsStreamWhenAnEpochIsCutShort() {
    TensorDataset ds = indexed(40);
    List<List<float[]>> results = new ArrayList<>();
    for (boolean prefetch : new boolean[] {false, true}) {
      for (boolean cutShort : new boolean[] {false, true}) {
        DataLoader loader =
            DataLoader.builder(ds)
                .batchSize(8)
                .shuffle(3)
                .prefetch(prefetch)
                .transform(Transforms.gaussianNoise(1.0, 11))
                .build();
        Iterator<Batch> first = loader.iterator();
        List<float[]> epoch1 = new ArrayList<>();
        int take = cutShort ? 2 : loader.size();
        for (int k = 0; k < take; k++) epoch1.add(first.next().inputs().toFloatArray());
        // epoch 1 abandoned (when cutShort) with batch 2 prefetched but never taken
        List<float[]> out = new ArrayList<>(epoch1.subList(0, 2));
        for (Batch b : loader) out.add(b.inputs().toFloatArray());
        results.add(out);
      }
    }
    // [off/full, off/cut, on/full, on/cut]: the first two batches of epoch 1 and all of epoch 2 are
    // the
    // same in every case: prefetch never changes what the transform draws, and neither does leaving
    // epoch 1 early (each epoch's draws come from the transform's seed and the epoch).
    List<float[]> reference = results.get(0);
    assertEquals(2 + 5, reference.size());
    for (int c = 1; c < 4; c++) {
      List<float[]> other = results.get(c);
      assertEquals(reference.size(), other.size());
      for (int k = 0; k < reference.size(); k++) {
        assertArrayEquals(reference.get(k), other.get(k), "case " + c + " batch " + k);
      }
    }
    // The noise really is drawn on (epoch 2 differs from epoch 1's first batches).
    assertNotEquals(Arrays.toString(results.get(1).get(0)), Arrays.toString(results.get(1).get(2)));
  }

  @Test
  void plainDatasetsAreCollatedByStacking() {
    Dataset<Example> plain =
        new Dataset<>() {
          @Override
          public int size() {
            return 5;
          }

          @Override
          public Example get(int i) {
            return new Example(Tensor.of(new float[] {i, i, i}, 3), Tensor.scalar(i, DType.INT64));
          }
        };
    List<Batch> batches = new ArrayList<>();
    new DataLoader(plain, 2).forEach(batches::add);
    assertEquals(3, batches.size());
    assertArrayEquals(new int[] {2, 3}, batches.get(0).inputs().shape());
    assertArrayEquals(new long[] {2, 3}, batches.get(1).targets().toLongArray());
    assertArrayEquals(new float[] {4, 4, 4}, batches.get(2).inputs().toFloatArray());
  }

  @Test
  void customCollateIsUsed() {
    DataLoader loader =
        DataLoader.builder(indexed(6))
            .batchSize(3)
            .collate(list -> new Batch(Tensor.scalar(list.size()), Tensor.scalar(0)))
            .build();
    for (Batch b : loader) assertEquals(3.0, b.inputs().item());
  }

  @Test
  void badOptionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(indexed(3)).batchSize(0));
    assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(null));
    assertThrows(IllegalArgumentException.class, () -> new DataLoader(indexed(3), 2).setEpoch(-1));
  }

  @Test
  void tensorDatasetSlicesInsteadOfStacking() {
    TensorDataset ds = indexed(10);
    Batch run = ds.batch(new int[] {3, 4, 5});
    assertEquals(
        3 * 2, run.inputs().offset(), "consecutive indices give a view into the big tensor");
    assertArrayEquals(new long[] {3, 4, 5}, run.targets().toLongArray());
    Batch scattered = ds.batch(new int[] {9, 0, 4});
    assertArrayEquals(new float[] {9, 90, 0, 0, 4, 40}, scattered.inputs().toFloatArray());
    Example e = ds.get(7);
    assertArrayEquals(new float[] {7, 70}, e.input().toFloatArray());
    assertEquals(7.0, e.target().item());
    assertThrows(IndexOutOfBoundsException.class, () -> ds.get(10));
    assertThrows(IndexOutOfBoundsException.class, () -> ds.batch(new int[] {1, 11}));
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
    assertTrue(
        bad.getMessage().contains("[3, 2]") && bad.getMessage().contains("[4]"), bad.getMessage());
  }

  @Test
  void subsetAndConcatMapIndices() {
    TensorDataset a = indexed(5);
    TensorDataset b =
        new TensorDataset(
            Tensor.of(new float[] {100, 1000, 101, 1010}, 2, 2),
            Tensor.ofLongs(new long[] {100, 101}, 2));
    Dataset<Example> empty = new Subset<>(a, new int[0]);
    ConcatDataset<Example> c = new ConcatDataset<>(List.of(a, empty, b));
    assertEquals(7, c.size());
    assertEquals(101.0, c.get(6).target().item());
    assertEquals(4.0, c.get(4).target().item());
    assertEquals(100.0, c.get(5).target().item());
    assertArrayEquals(new long[] {100, 101}, c.batch(new int[] {5, 6}).targets().toLongArray());
    assertArrayEquals(
        new long[] {6 - 6 + 101, 0, 4}, c.batch(new int[] {6, 0, 4}).targets().toLongArray());
    Subset<Example> s = new Subset<>(c, new int[] {6, 1});
    assertArrayEquals(new long[] {101, 1}, s.batch(new int[] {0, 1}).targets().toLongArray());
    assertEquals(1.0, s.get(1).target().item());
    assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(a, new int[] {5}));
    long[] all = flat(epoch(new DataLoader(c, 3, true, 1)));
    Arrays.sort(all);
    assertArrayEquals(new long[] {0, 1, 2, 3, 4, 100, 101}, all);
  }

  @Test
  void collateRejectsMismatchedShapes() {
    List<Example> ex =
        List.of(
            new Example(Tensor.zeros(2), Tensor.scalar(0)),
            new Example(Tensor.zeros(3), Tensor.scalar(1)));
    assertThrows(IllegalArgumentException.class, () -> Collate.stack(ex));
  }

  @Test
  void differentSeedsDifferAndNoShuffleIsIdentity() {
    DataLoader plain = new DataLoader(indexed(20), 20);
    long[] once = flat(epoch(plain));
    for (int i = 0; i < 20; i++) assertEquals(i, once[i]);
    assertArrayEquals(once, flat(epoch(plain)));
    assertNotEquals(
        Arrays.toString(new DataLoader(indexed(20), 20, true, 1).order(0)),
        Arrays.toString(new DataLoader(indexed(20), 20, true, 2).order(0)));
  }
}
