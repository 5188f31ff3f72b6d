package org.jgrad.examples;

import java.util.List;
import java.util.Optional;
import org.jgrad.examples.exercises.AdamActivations;
import org.jgrad.examples.exercises.ArdFeatureSelection;
import org.jgrad.examples.exercises.AttentionAndVit;
import org.jgrad.examples.exercises.BackpropByHand;
import org.jgrad.examples.exercises.BlurDiscriminator;
import org.jgrad.examples.exercises.BumpGdAdam;
import org.jgrad.examples.exercises.Cifar10Classifier;
import org.jgrad.examples.exercises.CnnVariants;
import org.jgrad.examples.exercises.ConvAeGridSearch;
import org.jgrad.examples.exercises.ConvVaeShips;
import org.jgrad.examples.exercises.DbmMnist;
import org.jgrad.examples.exercises.GanMnist;
import org.jgrad.examples.exercises.LatentAnalysis;
import org.jgrad.examples.exercises.MnistAutoencoderTable;
import org.jgrad.examples.exercises.MnistAutoencoders;
import org.jgrad.examples.exercises.MnistCnnOptimizers;
import org.jgrad.examples.exercises.MnistConvAutoencoders;
import org.jgrad.examples.exercises.OptimizerComparison;
import org.jgrad.examples.exercises.PcaCurves;
import org.jgrad.examples.exercises.PerceptronRegression;
import org.jgrad.examples.exercises.RbmMnist;
import org.jgrad.examples.exercises.ReceptiveFields;
import org.jgrad.examples.exercises.Resnet18Cifar10;
import org.jgrad.examples.exercises.SelfOrganizingMapExercise;
import org.jgrad.examples.exercises.SurfaceRegression;
import org.jgrad.examples.exercises.TabularGridSearch;
import org.jgrad.examples.exercises.TemperatureForecasting;
import org.jgrad.examples.exercises.ToeplitzConv;
import org.jgrad.examples.exercises.VaeMnist;
import org.jgrad.examples.support.Exercise;

/** The registry of exercises, in the order of the coursework. */
public final class Exercises {
  private Exercises() {}

  public static List<Exercise> all() {
    return List.of(
        new BumpGdAdam(),
        new AdamActivations(),
        new MnistAutoencoders(),
        new MnistConvAutoencoders(),
        new LatentAnalysis(),
        new BlurDiscriminator(),
        new ConvAeGridSearch(),
        new ReceptiveFields(),
        new PerceptronRegression(),
        new BackpropByHand(),
        new OptimizerComparison(),
        new MnistCnnOptimizers(),
        new SurfaceRegression(),
        new ToeplitzConv(),
        // part 2 (issue 13), items 1-5
        new TemperatureForecasting(),
        new TabularGridSearch(),
        new ArdFeatureSelection(),
        new SelfOrganizingMapExercise(),
        new PcaCurves(),
        // part 2 (issue 13), items 6-9
        new MnistAutoencoderTable(),
        new CnnVariants(),
        new Resnet18Cifar10(),
        new AttentionAndVit(),
        // part 3 (issue 14): energy-based and generative models
        new RbmMnist(),
        new DbmMnist(),
        new GanMnist(),
        new VaeMnist(),
        // part 3 (issue 14): CIFAR-10 substitutes
        new ConvVaeShips(),
        new Cifar10Classifier());
  }

  public static Optional<Exercise> find(String name) {
    return all().stream().filter(e -> e.name().equals(name)).findFirst();
  }
}
