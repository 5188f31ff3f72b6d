package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.examples.analysis.SampleScorer;
import org.jgrad.examples.models.Dbm;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.models.Rbm;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.Reduced;
import org.jgrad.examples.support.RunContext;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Part 3, exercise 2: a two-layer deep Boltzmann machine on binarised MNIST, pretrained greedily as
 * two RBMs and then trained jointly (mean-field positive phase, persistent Gibbs chains for the
 * negative phase). First-layer filters (W1) and second-layer filters (W1·W2) as image grids, and
 * DBM samples beside samples of the bottom RBM alone, scored by a digit classifier ({@code
 * fid_proxy}, {@code classifier_score}).
 */
public final class DbmMnist implements Exercise {
  @Override
  public String name() {
    return "dbm-mnist";
  }

  @Override
  public String title() {
    return "Two-layer deep Boltzmann machine on binarised MNIST: filters, DBM vs RBM samples";
  }

  record Setup(
      int trainCount,
      int testCount,
      int h1,
      int h2,
      int pretrainEpochs,
      int epochs,
      int batch,
      double lr,
      int meanFieldIters,
      int chains,
      int sampleCount,
      int sampleSteps,
      int scorerEpochs) {
    static Setup of(RunContext ctx) {
      return new Setup(
          Reduced.train(ctx, 600, 60000),
          ctx.pick(200, 10000),
          ctx.pick(64, 500),
          ctx.pick(32, 500),
          Reduced.epochs(ctx, 2, 5),
          Reduced.epochs(ctx, 2, 5),
          ctx.pick(50, 100),
          ctx.quick() ? 0.02 : 0.005,
          ctx.pick(5, 10),
          ctx.pick(50, 100),
          ctx.pick(50, 300),
          ctx.pick(200, 1000),
          ctx.pick(3, 3));
    }
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Setup s = Setup.of(ctx);
    var r = ctx.report();
    RbmMnist.Binary d = RbmMnist.Binary.load(ctx, s.trainCount(), s.testCount());
    RbmMnist.Setup rs = RbmMnist.Setup.of(ctx);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Pixels binarised at 0.5. DBM 784 – %d – %d. Greedy pretraining: an RBM 784–%d on the images, then an RBM "
                + "%d–%d on the first one's hidden probabilities, each CD-%d for %d epochs (batch %d, learning rate %s, "
                + "momentum %s then 0.9, weight decay %s). Joint training: %d epochs, batch %d, learning rate %s, "
                + "weight decay 2e-4, %d mean-field updates per batch for the data term, %d persistent chains advanced "
                + "one Gibbs sweep per batch for the model term. Training images: %d; test images: %d.",
            s.h1(),
            s.h2(),
            s.h1(),
            s.h1(),
            s.h2(),
            rs.k(),
            s.pretrainEpochs(),
            s.batch(),
            rs.lr(),
            rs.momentum(),
            rs.weightDecay(),
            s.epochs(),
            s.batch(),
            s.lr(),
            s.meanFieldIters(),
            s.chains(),
            d.train().size(0),
            d.test().size(0)));

    // ---- greedy pretraining
    RbmMnist.Trained bottom =
        RbmMnist.train(
            ctx,
            "pretrain RBM 784-" + s.h1(),
            d.train(),
            d.test(),
            s.h1(),
            s.pretrainEpochs(),
            s.batch(),
            rs.lr(),
            rs);
    Tensor h1Train, h1Test;
    try (var ng = GradMode.noGrad()) {
      h1Train = bottom.rbm().hiddenProb(d.train());
      h1Test = bottom.rbm().hiddenProb(d.test());
    }
    // the top RBM sees probabilities: sampling them would only add noise to its data
    Rbm top =
        trainTop(ctx, h1Train, h1Test, s, rs, new Generator(ctx.seed() * 31 + 3), "pretrain RBM");

    // ---- joint training
    Dbm dbm = Dbm.fromRbms(bottom.rbm(), top);
    Generator g = new Generator(ctx.seed() * 131 + 7);
    Tensor[] chains = dbm.randomChains(s.chains(), g);
    int n = d.train().size(0);
    double[] ep = new double[s.epochs() + 1], recon = new double[s.epochs() + 1];
    recon[0] = dbm.reconstructionError(d.test(), s.meanFieldIters());
    ctx.log("DBM before joint training: test reconstruction MSE %.4f", recon[0]);
    long t0 = System.nanoTime();
    for (int e = 0; e < s.epochs(); e++) {
      Tensor perm = Tensor.randperm(n, g);
      // learning rate decays linearly to a tenth, which persistent chains need to settle
      double lr = s.lr() * (1 - 0.9 * e / Math.max(1, s.epochs() - 1));
      for (int start = 0; start < n; start += s.batch()) {
        Tensor v = d.train().indexSelect(0, perm.narrow(0, start, Math.min(s.batch(), n - start)));
        chains = dbm.step(v, chains, s.meanFieldIters(), lr, 2e-4, g);
      }
      ep[e + 1] = e + 1;
      recon[e + 1] = dbm.reconstructionError(d.test(), s.meanFieldIters());
      ctx.log(
          "DBM epoch %d/%d (lr %.4f): test reconstruction MSE %.4f (%.0f s)",
          e + 1, s.epochs(), lr, recon[e + 1], (System.nanoTime() - t0) / 1e9);
    }
    double jointSeconds = (System.nanoTime() - t0) / 1e9;
    Csv.write(
        ctx.file("training.csv"),
        List.of("epoch", "dbm_test_reconstruction_mse"),
        List.of(ep, recon));
    double[] pe = new double[s.pretrainEpochs()];
    for (int e = 0; e < pe.length; e++) pe[e] = e + 1;
    Csv.write(
        ctx.file("pretraining.csv"),
        List.of("epoch", "rbm1_train_pl", "rbm1_test_pl", "rbm1_reconstruction_mse"),
        List.of(pe, bottom.trainPl(), bottom.testPl(), bottom.recon()));
    plotTraining(ctx.out(), ep, recon);

    // ---- filters
    Plots.imageGrid(
        ctx.file("filters_layer1.png"), Models.columnImages(dbm.weight1(), 64), 8, 8, 28, 28, 2);
    Tensor w12;
    try (var ng = GradMode.noGrad()) {
      w12 = dbm.weight1().matmul(dbm.weight2());
    }
    Plots.imageGrid(ctx.file("filters_layer2.png"), Models.columnImages(w12, 64), 8, 8, 28, 28, 2);

    // ---- samples: both from random bits, the same number of Gibbs sweeps
    Generator sg = new Generator(ctx.seed() + 404);
    Tensor start = Rbm.bernoulli(Tensor.full(0.5, s.sampleCount(), 784), sg);
    Tensor rbmSamples = bottom.rbm().gibbs(start, new int[] {s.sampleSteps()}, sg).get(0);
    Tensor dbmSamples =
        dbm.visibleMean(dbm.sample(dbm.randomChains(s.sampleCount(), sg), s.sampleSteps(), sg));
    Tensor pcdSamples = dbm.visibleMean(chains);
    int cols = 10;
    List<float[]> grid = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int row = 0; row < 3; row++) {
      labels.add("RBM");
      for (int c = 0; c < cols; c++) grid.add(Models.image(rbmSamples, row * cols + c));
    }
    for (int row = 0; row < 3; row++) {
      labels.add("DBM");
      for (int c = 0; c < cols; c++) grid.add(Models.image(dbmSamples, row * cols + c));
    }
    labels.add("DBM training chains");
    for (int c = 0; c < cols; c++) grid.add(Models.image(pcdSamples, c));
    Plots.imageGrid(
        ctx.file("samples_rbm_vs_dbm.png"),
        grid.toArray(new float[0][]),
        labels.size(),
        cols,
        28,
        28,
        3,
        labels);

    SampleScorer scorer =
        SampleScorer.train(
            ctx, d.train(), d.split().trainY(), d.test(), d.testY(), s.scorerEpochs());
    SampleScorer.Scores rbmScore = scorer.score(rbmSamples),
        dbmScore = scorer.score(dbmSamples),
        realScore = scorer.realReference(s.sampleCount());

    Reduced.report(
        ctx,
        bottom.seconds() + jointSeconds,
        (double) n * (s.pretrainEpochs() + s.epochs()),
        60000.0 * (5 + 5));
    r.heading("Training");
    r.table(
        List.of("stage", "final test PL", "final reconstruction MSE", "time (s)"),
        List.of(
            List.of(
                "RBM 784–" + s.h1(),
                bottom.testPl()[s.pretrainEpochs() - 1],
                bottom.recon()[s.pretrainEpochs() - 1],
                String.format(Locale.ROOT, "%.1f", bottom.seconds())),
            List.of(
                "DBM joint training (mean-field reconstruction)",
                "–",
                recon[s.epochs()],
                String.format(Locale.ROOT, "%.1f", jointSeconds))));
    r.image(
        "dbm_training.png",
        "Test reconstruction MSE of p(v | μ1) after mean-field inference, before (epoch 0) and during joint training");
    r.heading("Filters");
    r.image(
        "filters_layer1.png",
        "First-layer filters: columns of W1 (first 64 units, each scaled to its range)");
    r.image(
        "filters_layer2.png",
        "Second-layer filters: columns of W1·W2, what each h2 unit asks of the pixels through h1 (first 64)");
    r.heading("Samples");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "%d chains each from random bits, %d Gibbs sweeps; shown is p(v | h) (RBM) or p(v | h1) (DBM). The last "
                + "row shows the DBM's persistent training chains at the end of training. Scores use a 784–256–10 "
                + "classifier trained on the binarised training images (test accuracy %.4f); the real reference is "
                + "%d test digits against %d others.",
            s.sampleCount(),
            s.sampleSteps(),
            scorer.testAccuracy(),
            realScore.count(),
            realScore.count()));
    r.image("samples_rbm_vs_dbm.png", "Samples of the bottom RBM alone and of the DBM");
    r.table(
        List.of(
            "samples",
            "classifier confidence",
            "classifier score (max 10)",
            "FID proxy",
            "class histogram"),
        List.of(
            scoreRow("RBM", rbmScore),
            scoreRow("DBM", dbmScore),
            scoreRow("real test digits", realScore)));
    r.heading("Reading");
    r.paragraph(reading(recon, rbmScore, dbmScore, realScore));

    ctx.metrics().put("fid_proxy", dbmScore.fid());
    ctx.metrics().put("fid_proxy_rbm", rbmScore.fid());
    ctx.metrics().put("fid_proxy_real", realScore.fid());
    ctx.metrics().put("classifier_score", dbmScore.classifierScore());
    ctx.metrics().put("classifier_score_rbm", rbmScore.classifierScore());
    ctx.metrics().put("sample_classifier_test_accuracy", scorer.testAccuracy());
    ctx.metrics().put("reconstruction_mse", recon[s.epochs()]);
    ctx.metrics().put("reconstruction_mse_before_joint", recon[0]);
    ctx.metrics().put("pretrain_pseudo_likelihood", bottom.testPl()[s.pretrainEpochs() - 1]);
    Map<String, Object> sizes = new LinkedHashMap<>();
    sizes.put("h1", s.h1());
    sizes.put("h2", s.h2());
    ctx.metrics().put("layers", sizes);
    ctx.metrics().put("train_images", d.train().size(0));
    ctx.metrics().put("data", d.split().source());
  }

  private static Rbm trainTop(
      RunContext ctx,
      Tensor h1Train,
      Tensor h1Test,
      Setup s,
      RbmMnist.Setup rs,
      Generator g,
      String label) {
    Rbm top = new Rbm(s.h1(), s.h2(), g);
    top.initVisibleBias(h1Train);
    int n = h1Train.size(0);
    long t0 = System.nanoTime();
    for (int e = 0; e < s.pretrainEpochs(); e++) {
      Tensor perm = Tensor.randperm(n, g);
      double sum = 0;
      int batches = 0;
      for (int start = 0; start < n; start += s.batch()) {
        Tensor v = h1Train.indexSelect(0, perm.narrow(0, start, Math.min(s.batch(), n - start)));
        sum += top.cd(v, rs.k(), rs.lr(), e == 0 ? rs.momentum() : 0.9, rs.weightDecay(), g);
        batches++;
      }
      ctx.log(
          "%s %d-%d epoch %d/%d: reconstruction MSE %.4f (%.0f s)",
          label,
          s.h1(),
          s.h2(),
          e + 1,
          s.pretrainEpochs(),
          sum / batches,
          (System.nanoTime() - t0) / 1e9);
    }
    return top;
  }

  private static List<Object> scoreRow(String name, SampleScorer.Scores sc) {
    return List.of(
        name,
        sc.confidence(),
        sc.classifierScore(),
        sc.fid(),
        java.util.Arrays.toString(sc.histogram()));
  }

  private static String reading(
      double[] recon, SampleScorer.Scores rbm, SampleScorer.Scores dbm, SampleScorer.Scores real) {
    StringBuilder b = new StringBuilder();
    double r0 = recon[0], r1 = recon[recon.length - 1];
    b.append(
        String.format(
            Locale.ROOT,
            "Joint training takes the test reconstruction MSE after mean-field inference from %.4f (the stacked RBMs) "
                + "to %.4f (%s). ",
            r0,
            r1,
            r1 < r0
                ? "lower: the top-down input to h1 now agrees with the bottom-up one"
                : "not lower: in this run the joint phase traded reconstruction for the top layer's fit"));
    boolean dbmBetter = dbm.fid() < rbm.fid();
    b.append(
        String.format(
            Locale.ROOT,
            "By the classifier's features the DBM samples are %s the RBM samples: FID proxy %.2f against %.2f (real "
                + "digits against real digits: %.2f), classifier score %.2f against %.2f (real: %.2f), confidence %.3f "
                + "against %.3f. ",
            dbmBetter ? "closer to real digits than" : "further from real digits than",
            dbm.fid(),
            rbm.fid(),
            real.fid(),
            dbm.classifierScore(),
            rbm.classifierScore(),
            real.classifierScore(),
            dbm.confidence(),
            rbm.confidence()));
    int rbmClasses = 0, dbmClasses = 0;
    for (int k = 0; k < 10; k++) {
      if (rbm.histogram()[k] > 0) rbmClasses++;
      if (dbm.histogram()[k] > 0) dbmClasses++;
    }
    b.append(
        String.format(
            Locale.ROOT,
            "The classifier finds %d of the ten digits among the RBM samples and %d among the DBM samples.",
            rbmClasses,
            dbmClasses));
    return b.toString();
  }

  private static void plotTraining(Path dir, double[] ep, double[] recon) throws IOException {
    Plots.lines(
        dir.resolve("dbm_training.png"),
        "DBM: test reconstruction after mean-field inference",
        "epoch of joint training",
        "reconstruction MSE",
        Plots.series("DBM", new double[][] {ep, recon}),
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    var csv = Csv.read(dir.resolve("training.csv"));
    plotTraining(dir, csv.get("epoch"), csv.get("dbm_test_reconstruction_mse"));
    return List.of("dbm_training.png");
  }
}
