/* eval.h - `ganc eval`: how good a generator is, in numbers.
 *
 *   ganc eval RUN | WEIGHTS.safetensors [--model MODEL.yaml] | IMAGES.npy
 *
 * A generator of Fashion-MNIST-shaped images (1, 28, 28) draws N samples
 * (its sampler, built into ganc's cache) that the judge (judge.h) turns
 * into features and class logits, as it does the 10,000 test images
 * (features cached); then:
 *   fd             the Frechet distance between Gaussians fitted to the two
 *                  sets of features (biased upwards at small N: N is printed)
 *   precision, recall   k-nearest-neighbour manifolds, k = 3, in the same
 *                  features, the first min(N, test) test images against the
 *                  samples (Kynkaanniemi et al. 2019)
 *   class_entropy  entropy (nats) of the histogram of predicted classes;
 *                  log 10 = 2.303 when every class is equally common
 *   class_accuracy a conditional generator's samples (classes in turn)
 *                  put in the class asked for
 * An IMAGES.npy (N, 1, 28, 28) in [-1, 1] is judged the same way, without
 * a generator: the known cases of tests/eval_known.sh.
 * A generator of the 2D mixtures (ring8, grid25) draws 2,500 points, scored
 * as the PacGAN paper does (data/rt_mixture.h): modes, high-quality share,
 * reverse KL.
 * Prints one JSON line on standard output, keys named after the metrics,
 * and on a terminal a table after it.  Exit 0, 2 for bad input (a target
 * that is none of the above, a model without a metric), 1 otherwise.
 */
#ifndef GAN_EVAL_H
#define GAN_EVAL_H

int gan_cmd_eval(int argc, char **argv);

#endif
