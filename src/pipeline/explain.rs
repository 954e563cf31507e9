//! The lesson behind each component: one paragraph per step, model and metric
//! (what it does, when to use it, a pitfall), keyed by the name the spec and the
//! scorers use.
//!
//! The catalogue carries it: every [`ComponentInfo`](super::ComponentInfo) has an
//! `explain`, `api::catalog` adds `metric_explanations`, and
//! [`markdown`] is the explanations part of `pipelab catalog --markdown` (SPEC.md).
//! A test keeps every registry entry and every metric explained.

use serde::Serialize;

/// One component's or metric's explanation, in three parts a learner reads in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// What it does, in plain words.
    pub what: &'static str,
    /// When to use it.
    pub when: &'static str,
    /// A mistake people make with it.
    pub pitfall: &'static str,
}

impl Explanation {
    /// The three parts as one paragraph.
    pub fn paragraph(&self) -> String {
        format!("{} When to use it: {} Pitfall: {}", self.what, self.when, self.pitfall)
    }
}

macro_rules! e {
    ($what:expr, $when:expr, $pitfall:expr $(,)?) => {
        Explanation { what: $what, when: $when, pitfall: $pitfall }
    };
}

/// The explanation of the step or model named `name` (the spec's class name).
pub fn component(name: &str) -> Option<&'static Explanation> {
    COMPONENTS.iter().find(|(n, _)| *n == name).map(|(_, e)| e)
}

/// The explanation of the metric named `name` (a scorer name, or a clustering report's metric).
pub fn metric(name: &str) -> Option<&'static Explanation> {
    METRICS.iter().find(|(n, _)| *n == name).map(|(_, e)| e)
}

/// Every explained metric, by name (what the page's catalogue shows next to the metric checkboxes).
pub fn metrics() -> impl Iterator<Item = (&'static str, &'static Explanation)> {
    METRICS.iter().map(|(n, e)| (*n, e))
}

/// The metrics a clustering report can hold (`selection::clustering`).
pub const CLUSTERING_METRICS: &[&str] = &["silhouette", "davies_bouldin", "calinski_harabasz", "inertia", "adjusted_rand", "normalized_mutual_info"];

/// The explanations part of `pipelab catalog --markdown` (and of SPEC.md): steps and models in
/// the catalogue's order, then the metrics.
pub fn markdown_for_catalog() -> String {
    let names = |c: Vec<super::ComponentInfo>| c.iter().map(|c| c.name).collect::<Vec<_>>();
    markdown(&names(super::StepSpec::catalog()), &names(super::ModelSpec::catalog()))
}

/// The explanations as markdown: the given steps, the given models, then every metric.
fn markdown(steps: &[&str], models: &[&str]) -> String {
    let mut out = String::new();
    let mut block = |title: &str, names: &[&str], lookup: fn(&str) -> Option<&'static Explanation>| {
        out.push_str(&format!("{title}\n\n"));
        for n in names {
            if let Some(e) = lookup(n) {
                out.push_str(&format!("- **`{n}`**: {}\n", e.paragraph()));
            }
        }
        out.push('\n');
    };
    block("What each step does, when to use it, and a pitfall:", steps, component);
    block("What each model does, when to use it, and a pitfall:", models, component);
    let metric_names: Vec<&str> = METRICS.iter().map(|(n, _)| *n).collect();
    block("What each metric measures, when to use it, and a pitfall (see `scoring`; the last six are the clustering report's):", &metric_names, metric);
    out.pop();
    out
}

const COMPONENTS: &[(&str, Explanation)] = &[
    // ---- steps
    ("SimpleImputer", e!(
        "Replaces each missing cell by a value learned from the training rows of its column: the mean, the median, the most frequent value, or a constant (`fill_value`). `add_indicator` also adds a 0/1 column saying which cells were missing.",
        "whenever a feature column has missing values and the model cannot take them (all but the histogram gradient boosting models). The median resists skewed numeric columns; `most_frequent` or `constant` suit categories.",
        "a filled-in value is a guess. When values are missing for a reason (a test that was not done), the fact that they are missing can predict the target: keep it with `add_indicator`.",
    )),
    ("OneHotEncoder", e!(
        "Turns a categorical column into one 0/1 column per category seen in the training rows (red, green, blue → three columns).",
        "for categories with no order (city, colour) feeding linear models, SVMs or k-NN. Trees can often do with OrdinalEncoder instead.",
        "a category the training rows never saw stops `transform` unless `handle_unknown` is \"ignore\" (all zeros). A column with many distinct values (ids, names) explodes the width: cap it with `min_frequency` / `max_categories`, or use TargetEncoder.",
    )),
    ("StandardScaler", e!(
        "Subtracts each column's training mean and divides by its training standard deviation, so every feature has mean 0 and spread 1.",
        "before models that compare features by size or distance, or that are fitted by gradient steps: logistic and penalized linear regression, SVMs, k-NN, PCA, k-means. Trees do not need it.",
        "the mean and standard deviation must come from the training rows only (the pipeline refits them in every fold). A few huge outliers inflate the standard deviation: RobustScaler resists them. Coefficients of a scaled model are per standard deviation, not per original unit.",
    )),
    ("PolynomialFeatures", e!(
        "Adds powers and products of the columns up to `degree` (x, y → 1, x, y, x², xy, y² at degree 2), so a linear model can fit curves and interactions.",
        "when a straight line underfits. Scale first (StandardScaler) so that the powers stay comparable.",
        "the width grows fast: p columns at degree d give C(p + d, d) features (10 columns at degree 3: 286). With few rows the model overfits: watch the gap between train and test scores, or use Ridge instead of LinearRegression.",
    )),
    ("KNNImputer", e!(
        "Fills a missing cell with the mean of that column over the `n_neighbors` training rows nearest to the row (nan-euclidean distance on the columns both rows have).",
        "when columns are related, so that similar rows have similar values: often closer to the truth than a column-wide mean.",
        "distances are dominated by the columns with large values: scale first. Every row is compared with every training row, so it is slow on large data.",
    )),
    ("OrdinalEncoder", e!(
        "Replaces each category by an integer: its index among the sorted training categories.",
        "for tree models (one column instead of many), or for categories with a real order, after checking that the sorted order is that order (\"high\" sorts before \"low\" and \"medium\").",
        "a linear or distance-based model reads the codes as amounts, as if category 2 were twice category 1. A category unseen in training stops `transform` unless `handle_unknown` is \"use_encoded_value\".",
    )),
    ("TargetEncoder", e!(
        "Replaces each category by the mean target of the training rows in it, shrunk toward the overall mean when the category is rare (`smooth`). While fitting, each row gets the value computed on the other folds (cross-fitting), as in scikit-learn.",
        "for categorical columns with many values (postcodes, product ids) where one-hot encoding would be too wide.",
        "it reads the target, so computed by hand on all rows it leaks the answer into the features and the score looks too good; inside the pipeline it is fitted on each training fold only. Rare categories get little more than the overall mean.",
    )),
    ("MinMaxScaler", e!(
        "Maps each column linearly so that its training minimum becomes the low end of `feature_range` and its maximum the high end (0 and 1 by default).",
        "when a model needs bounded inputs of the same range, or for columns that are bounded anyway (pixel intensities, percentages).",
        "one extreme value squeezes all the others into a tiny range. Test values beyond the training range land outside `feature_range` unless `clip` is true.",
    )),
    ("RobustScaler", e!(
        "Subtracts each column's median and divides by its interquartile range (the spread of the middle half of the values).",
        "instead of StandardScaler when columns have outliers.",
        "it does not remove outliers: they stay far out, they only stop distorting the scale of everything else. A column whose middle half is constant (interquartile range 0) is left unscaled.",
    )),
    ("MaxAbsScaler", e!(
        "Divides each column by its largest absolute training value, so values lie in [-1, 1]; zeros stay zeros and signs are kept.",
        "for data that is mostly zeros (counts, one-hot blocks) or already centred on 0.",
        "like MinMaxScaler it follows a single extreme value; it does not centre the data.",
    )),
    ("Normalizer", e!(
        "Rescales each row (not each column) so that its length (l2, l1 or max norm) is 1.",
        "when only the direction of a row matters: word counts of documents, proportions, before a cosine-like comparison.",
        "it is not a column scaler: it mixes the columns of a row, so features in different units (age and income) lose their meaning together. For columns you almost always want StandardScaler.",
    )),
    ("PowerTransformer", e!(
        "Applies a Yeo-Johnson power transform to each column, with the exponent fitted by maximum likelihood to make the column as Gaussian-like as possible, then standardizes it.",
        "for skewed columns (incomes, counts) feeding models that prefer symmetric inputs: linear models, Gaussian naive Bayes, k-NN.",
        "transformed values are hard to read in the original units, and the exponent is fitted: on small folds it varies from fold to fold.",
    )),
    ("OutlierRemover", e!(
        "Drops training rows that hold an extreme value in any numeric column: outside [Q1 − factor·IQR, Q3 + factor·IQR] (`method` \"iqr\") or more than `threshold` standard deviations from the mean (\"zscore\"). Only while fitting: every test row is still scored.",
        "when a few corrupt or extreme rows pull a sensitive model (least squares) away from the rest.",
        "outliers are often real and important (fraud, rare diseases): a model that never saw them is blind exactly there. It is pipelab's own step (scikit-learn transformers never drop rows), so it may only stand in the top-level steps.",
    )),
    ("KBinsDiscretizer", e!(
        "Cuts each numeric column into `n_bins` intervals (equal width \"uniform\", equal counts \"quantile\", or 1-D k-means) and replaces a value by its bin, one-hot encoded or as the bin's index.",
        "to let a linear model follow a step-shaped, non-linear effect of one feature, or to blunt outliers.",
        "it throws away the order within a bin and, with one-hot output, adds `n_bins` columns per feature. Bin edges come from the training rows: with few rows or many repeated values some bins collapse.",
    )),
    ("FunctionTransformer", e!(
        "Applies one named function to every cell: log1p, sqrt, square, log, exp, abs or reciprocal. It learns nothing from the data.",
        "to undo skew (log1p of counts, prices or sizes), or to give a model a shape you know (a square). It cannot leak: nothing is fitted.",
        "log, sqrt and reciprocal give missing or infinite values on zeros or negatives (log1p accepts 0, nothing here accepts negatives for log). Put it in a ColumnTransformer branch with only the columns that need it.",
    )),
    ("VarianceThreshold", e!(
        "Drops columns whose training variance is at most `threshold` (by default: constant columns).",
        "as cheap clean-up, e.g. after one-hot encoding rare categories, or before a step that divides by a column's variance.",
        "variance depends on the unit: with a threshold above 0, a length in kilometres may be dropped while the same length in metres is kept. Scale first if you set a threshold.",
    )),
    ("SelectKBest", e!(
        "Scores each column against the target with `score_func` (ANOVA F for classes, F-regression, chi², mutual information) and keeps the `k` best.",
        "to shrink very wide data before a model, or to see which single columns relate to the target.",
        "it reads the target, so it must be fitted inside each training fold, as the pipeline does: selecting on all rows first makes even pure noise score far above chance. Scores are one column at a time, so features that only help together are missed.",
    )),
    ("SelectPercentile", e!(
        "Like SelectKBest, but keeps a `percentile` of the best-scoring columns instead of a fixed number.",
        "when the number of columns varies (after one-hot encoding) and a share is easier to choose than k.",
        "the same leakage as SelectKBest when fitted outside the folds; and the default 10 % keeps very few columns of a narrow table (one of ten).",
    )),
    ("SelectFromModel", e!(
        "Fits a model (LogisticRegression by default) and keeps the columns whose importance (|coefficient| or feature importance) reaches `threshold` (default: the mean importance), or the `max_features` most important.",
        "to select with a model that sees the features together, unlike the one-column scores of SelectKBest.",
        "coefficients are comparable only on scaled features; correlated features share their importance, so both of a useful pair may fall below the threshold. It fits a model in every fold: it costs time.",
    )),
    ("CorrelationFilter", e!(
        "For every pair of columns whose absolute Pearson correlation exceeds `threshold`, drops the later column, and says which pair caused it.",
        "to remove near-duplicates (the same quantity in two units, a total and its parts) that make linear coefficients unstable.",
        "it never looks at the target: of a correlated pair it keeps the first, not the more useful one. It is pipelab's own step; the exported scikit-learn script spells it out.",
    )),
    ("PCA", e!(
        "Principal component analysis: rotates the centred data onto its directions of largest variance and keeps the first `n_components`; the explained variance says how much of the spread each keeps.",
        "to compress many correlated numeric features, to speed up a model, or to draw the rows in 2-D. Scale first, or the columns with the largest units dominate.",
        "components are chosen without looking at the target: a direction that predicts well may have little variance and be dropped. The new features are mixtures of all columns and hard to interpret.",
    )),
    ("TruncatedSVD", e!(
        "Projects the data onto its top singular directions without centring it first.",
        "for data that should not be centred, such as word counts (latent semantic analysis). On centred data it gives PCA's components.",
        "without centring, the first component mostly describes the average row; the randomized algorithm depends on `random_state`.",
    )),
    ("LinearDiscriminantAnalysis", e!(
        "Projects the rows onto at most (number of classes − 1) directions that best separate the classes compared with the spread within each class.",
        "as a supervised reduction before a classifier, or to draw the classes in 2-D.",
        "it reads the target, so it is fitted inside each fold; it needs a class target (no regression) and assumes classes of similar, roughly Gaussian spread.",
    )),
    // ---- models
    ("LinearRegression", e!(
        "Fits y ≈ w·x + b by ordinary least squares: the weights that minimize the sum of squared errors on the training rows.",
        "as the first baseline for a numeric target: fast, and its coefficients are readable. With PolynomialFeatures it fits curves.",
        "there is no penalty: with many or strongly correlated features (or polynomial terms) the weights grow huge and unstable and the model overfits; Ridge fixes that. Squared errors make it sensitive to outliers.",
    )),
    ("LogisticRegression", e!(
        "A linear classifier: a weighted sum of the features becomes class probabilities (sigmoid for two classes, softmax for more). Fitted by L-BFGS with an L2 penalty whose strength is 1/C.",
        "as the baseline classifier: fast, gives probabilities, and its coefficients read as log-odds.",
        "scale the features (StandardScaler): on raw columns of very different sizes the solver needs many iterations and stops at `max_iter` before converging (\"converged: false\"; the coefficients are then not the optimum). A small C is a strong penalty.",
    )),
    ("Ridge", e!(
        "Least squares plus an L2 penalty `alpha`·‖w‖², which shrinks every weight toward 0.",
        "instead of LinearRegression when features are many or correlated, or after PolynomialFeatures. Tune `alpha` with a validation curve.",
        "the penalty treats every weight alike, so scale the features first; `alpha` works on a log scale: try 0.01, 0.1, 1, 10, 100.",
    )),
    ("Lasso", e!(
        "Least squares plus an L1 penalty `alpha`·‖w‖₁, fitted by coordinate descent: some weights become exactly 0, so it also selects features.",
        "when you expect only a few features to matter and want a sparse, readable model.",
        "the default `alpha` of 1.0 can set every weight to 0 when the target is small: scale and tune `alpha`. Of a group of correlated features it keeps one, somewhat arbitrarily.",
    )),
    ("ElasticNet", e!(
        "Least squares with a mix of L1 and L2 penalties (`l1_ratio` sets the mix): sparse like Lasso, stable with correlated features like Ridge.",
        "with many correlated features when you still want some of them dropped.",
        "two parameters to tune together (`alpha`, `l1_ratio`); scale first. A warning that coordinate descent did not converge means: raise `max_iter` or scale the features.",
    )),
    ("LinearSVC", e!(
        "A linear support vector classifier: the separating hyperplane with the widest margin (squared hinge loss), one-vs-rest for several classes.",
        "for wide data (many features, e.g. text) where a straight boundary is enough.",
        "it gives no class probabilities, so `roc_auc`, `average_precision` and `log_loss` are unavailable. Scale the features or the solver may stop before converging.",
    )),
    ("SVC", e!(
        "A support vector classifier with an RBF kernel: the boundary can curve around the data; `gamma` sets how local the curves are and `C` how hard training errors are punished.",
        "for small data (here up to 5,000 rows) with curved class boundaries, after scaling.",
        "time and memory grow with the square of the rows; unscaled features make the kernel's distances meaningless; a large C and gamma overfit. It gives no class probabilities.",
    )),
    ("KNeighborsClassifier", e!(
        "Predicts the majority class among the `n_neighbors` training rows nearest to the row. Nothing is learned: the training rows are kept and searched.",
        "on small data with a meaningful distance, as a simple non-linear baseline.",
        "distances need scaled features; with many features all rows become almost equally far apart; predicting is slow on large data.",
    )),
    ("KNeighborsRegressor", e!(
        "Predicts the average target of the `n_neighbors` training rows nearest to the row (weighted by closeness with `weights`=\"distance\").",
        "on small data with a meaningful distance, as a simple non-linear baseline.",
        "distances need scaled features; it can never predict outside the range of the training targets; predicting is slow on large data.",
    )),
    ("GaussianNB", e!(
        "Gaussian naive Bayes: assumes each feature is normally distributed within each class, independently of the others, and applies Bayes' rule.",
        "as a very fast baseline; it works with few rows and many features.",
        "the independence assumption rarely holds: its probabilities are often overconfident (a poor `log_loss`) even when the accuracy is fine.",
    )),
    ("KMeans", e!(
        "Splits the rows into `n_clusters` groups around centres, alternating \"assign each row to its nearest centre\" and \"move each centre to the mean of its rows\"; the best of `n_init` starts is kept.",
        "to find compact, roughly round groups when you can guess how many there are.",
        "you choose k: compare the silhouette across several k (inertia always drops as k grows). Features must be scaled; elongated or nested groups are cut wrongly.",
    )),
    ("DBSCAN", e!(
        "Finds dense regions: a row with at least `min_samples` rows within `eps` is a core row; clusters are core rows linked through their neighbourhoods; rows in no dense region are noise (label −1).",
        "when clusters have irregular shapes, their number is unknown, or outliers should stay unassigned.",
        "`eps` depends on the scale of the features (scale first), and one `eps` cannot fit clusters of different densities: too small and everything is noise, too large and everything is one cluster.",
    )),
    ("AgglomerativeClustering", e!(
        "Hierarchical clustering: starts with every row alone and repeatedly merges the two closest groups (`linkage` \"ward\": the merge that adds the least variance) until `n_clusters` remain or the distance exceeds `distance_threshold`.",
        "on small data where groups within groups make sense, or for non-round clusters (single linkage).",
        "memory grows with the square of the rows (up to 20,000 here). New rows get the label of the nearest cluster centre: a pipelab addition, since scikit-learn cannot predict new rows at all.",
    )),
    ("DecisionTreeClassifier", e!(
        "Learns a flowchart of threshold questions on the features (CART); each split makes the classes in its two branches purer (gini or entropy), and a row gets the majority class of its leaf.",
        "when you want a model you can read and draw; it needs no scaling and captures non-linear effects and interactions.",
        "without `max_depth` or `min_samples_leaf` the tree grows until it memorizes the training rows (train score 1.0, test score much lower). A small change in the data can change the whole tree.",
    )),
    ("DecisionTreeRegressor", e!(
        "Learns a flowchart of threshold questions on the features (CART); each split reduces the squared error in its branches, and a row gets the mean target of its leaf.",
        "when you want a model you can read and draw; it needs no scaling and captures non-linear effects.",
        "unlimited depth memorizes the training rows; predictions are steps and never go beyond the training targets' range.",
    )),
    ("RandomForestClassifier", e!(
        "Many decision trees, each grown on a bootstrap sample of the rows and choosing each split among a random subset of the features (`max_features`); their class probabilities are averaged.",
        "as a strong default for tabular data: little tuning, no scaling, robust to noisy features. `oob_score` gives a free estimate from the rows each tree did not see.",
        "bigger and slower than one tree and not readable; impurity-based importances favour features with many distinct values.",
    )),
    ("RandomForestRegressor", e!(
        "Many regression trees, each grown on a bootstrap sample of the rows with random feature subsets at each split; their predictions are averaged.",
        "as a strong default for numeric targets in tabular data: little tuning, no scaling.",
        "it never predicts beyond the range of the training targets (no extrapolation); bigger and slower than one tree.",
    )),
    ("GradientBoostingClassifier", e!(
        "Adds shallow trees one at a time, each fitted to the gradient of the log loss of the sum so far and scaled by `learning_rate`.",
        "when accuracy matters on small and medium tabular data; it often beats a random forest once tuned.",
        "trees are built one after another, so it is slow on large data (use HistGradientBoostingClassifier); many trees with a large learning rate overfit: tune `n_estimators` and `learning_rate` together.",
    )),
    ("GradientBoostingRegressor", e!(
        "Adds shallow regression trees one at a time, each fitted to the errors of the sum so far and scaled by `learning_rate`.",
        "when accuracy matters on small and medium tabular data.",
        "slow on large data (use HistGradientBoostingRegressor); many trees with a large learning rate overfit: tune `n_estimators` and `learning_rate` together.",
    )),
    ("HistGradientBoostingClassifier", e!(
        "Gradient boosting on features binned into at most `max_bins` values, which makes each split search fast; missing values are handled without imputation (sent to the better side of each split). Early stopping on a validation part is on by default above 10,000 rows.",
        "as the go-to model for large tabular data, with missing values, without scaling.",
        "`min_samples_leaf`=20 makes it weak on tiny data sets; with early stopping its result depends on `random_state` through the validation part.",
    )),
    ("HistGradientBoostingRegressor", e!(
        "Gradient boosting for a numeric target on binned features (at most `max_bins` values per column), with missing values handled without imputation and early stopping above 10,000 rows.",
        "as the go-to model for large tabular data with a numeric target.",
        "`min_samples_leaf`=20 makes it weak on tiny data sets; like every tree model it does not extrapolate beyond the training targets.",
    )),
];

const METRICS: &[(&str, Explanation)] = &[
    // ---- classification
    ("accuracy", e!(
        "The share of rows whose predicted class is right.",
        "when the classes are roughly balanced and every mistake costs the same.",
        "with imbalanced classes it flatters: always predicting the majority of a 95 / 5 split scores 0.95. Compare it with the share of the largest class.",
    )),
    ("balanced_accuracy", e!(
        "The average of each class's recall: every class counts the same, whatever its size.",
        "with imbalanced classes, instead of accuracy.",
        "chance level is 1 / (number of classes), not 0; it ignores how many false alarms a class receives (precision).",
    )),
    ("precision", e!(
        "Of the rows predicted positive (the second class in sorted order), the share that really are positive. Two classes only.",
        "when a false alarm is costly (a spam filter that hides real mail).",
        "a model that rarely predicts positive can be very precise while missing most positives: read it with recall. Which class counts as positive matters.",
    )),
    ("recall", e!(
        "Of the rows that really are positive (the second class), the share the model finds (sensitivity). Two classes only.",
        "when a miss is costly (screening for a disease).",
        "predicting every row positive gives recall 1: read it with precision.",
    )),
    ("f1", e!(
        "The harmonic mean of precision and recall for the positive class: high only when both are. Two classes only.",
        "with a rare positive class when misses and false alarms both matter.",
        "it ignores the correctly rejected negatives and depends on which class is called positive.",
    )),
    ("precision_micro", e!(
        "Precision over all classes pooled: every row's prediction counts once. For single-label classification it equals accuracy.",
        "when every row should count equally, whatever its class.",
        "being equal to accuracy, it hides a badly predicted small class; use a macro average to see it.",
    )),
    ("recall_micro", e!(
        "Recall over all classes pooled; for single-label classification it equals accuracy.",
        "when every row should count equally.",
        "it hides a badly predicted small class; use recall_macro to see it.",
    )),
    ("f1_micro", e!(
        "F1 over all classes pooled; for single-label classification it equals accuracy.",
        "when every row should count equally.",
        "it hides a badly predicted small class; use f1_macro to see it.",
    )),
    ("precision_macro", e!(
        "Precision computed for each class, then averaged with equal weight per class.",
        "with several classes that matter equally, whatever their size.",
        "a small class makes it noisy from fold to fold; a class never predicted counts 0 (with a warning).",
    )),
    ("recall_macro", e!(
        "Recall computed for each class, then averaged with equal weight (the same number as balanced_accuracy).",
        "with several classes that matter equally.",
        "a small class makes it noisy from fold to fold.",
    )),
    ("f1_macro", e!(
        "F1 computed for each class, then averaged with equal weight per class.",
        "as one number for several classes of different sizes: a class the model neglects pulls it down.",
        "small classes make it noisy; it is not the F1 of the averaged precision and recall.",
    )),
    ("precision_weighted", e!(
        "Precision per class, averaged with weights proportional to each class's number of rows.",
        "when bigger classes should count more, but you still want per-class precision behind it.",
        "dominated by the big classes, like accuracy.",
    )),
    ("recall_weighted", e!(
        "Recall per class, averaged with weights proportional to each class's number of rows; for single-label classification it equals accuracy.",
        "rarely: it is accuracy under another name.",
        "it hides a badly predicted small class.",
    )),
    ("f1_weighted", e!(
        "F1 per class, averaged with weights proportional to each class's number of rows.",
        "when bigger classes should count more.",
        "dominated by the big classes; it can lie outside the range between precision and recall.",
    )),
    ("matthews_corrcoef", e!(
        "The correlation between the predicted and the true classes, from −1 (always wrong) through 0 (chance) to 1 (perfect), using every cell of the confusion matrix.",
        "as one honest number for imbalanced classes.",
        "less intuitive to explain; it is 0 when the model predicts a single class.",
    )),
    ("roc_auc", e!(
        "The probability that a random positive row gets a higher predicted probability than a random negative one (the area under the ROC curve); with more classes, one-vs-rest averaged. 0.5 is chance, 1 perfect.",
        "to judge how well the model ranks rows, whatever threshold is chosen later.",
        "it needs class probabilities (not SVMs); it ignores whether the probabilities are calibrated, and can look good on rare positives while precision is poor (use average_precision there). NaN when a fold lacks a class.",
    )),
    ("roc_auc_ovr", e!(
        "ROC AUC of each class against all the others, averaged with equal weight per class.",
        "with several classes, to judge ranking quality per class.",
        "undefined (NaN, with a warning) when a test fold lacks a class: use stratified folds.",
    )),
    ("roc_auc_ovr_weighted", e!(
        "ROC AUC of each class against all the others, averaged with weights proportional to each class's number of rows.",
        "with several classes when bigger classes should count more.",
        "the big classes dominate; NaN when a test fold lacks a class.",
    )),
    ("roc_auc_ovo", e!(
        "ROC AUC averaged over every pair of classes (Hand and Till's one-vs-one).",
        "with several classes when class sizes differ: it does not depend on how common each class is.",
        "costs a pass per pair of classes; NaN when a test fold lacks a class.",
    )),
    ("average_precision", e!(
        "The area under the precision–recall curve of the positive class: precision averaged over every recall level. Two classes only.",
        "when the positive class is rare and finding it is what matters.",
        "its chance level is the share of positives, not 0.5; it needs class probabilities.",
    )),
    ("log_loss", e!(
        "The average of −log(probability the model gave to the true class). 0 is perfect; lower is better.",
        "when the probabilities themselves matter (risk scores), not only the chosen class.",
        "one confident mistake can dominate it (a probability near 0 for the truth costs a lot); lower is better, unlike accuracy; values depend on the number of classes.",
    )),
    ("brier_score", e!(
        "The mean squared difference between the predicted probability of the positive class and the 0/1 truth. 0 is perfect; lower is better. Two classes only.",
        "to check that probabilities are well calibrated.",
        "with a rare positive class even a useless model scores close to 0: compare with always predicting the positive share.",
    )),
    // ---- regression
    ("mse", e!(
        "Mean squared error: the average of (prediction − truth)², in the target's unit squared. Lower is better.",
        "as the quantity least-squares models minimize.",
        "its unit is squared, so its size is hard to read (take rmse); a few large errors dominate it.",
    )),
    ("rmse", e!(
        "Root mean squared error: the square root of mse, in the target's own unit; roughly the size of a typical error, with large errors weighing more. Lower is better.",
        "as the usual summary of a regression's error, in units a user understands.",
        "compare it with the target's standard deviation: always predicting the mean scores about that. Outliers still weigh heavily.",
    )),
    ("mae", e!(
        "Mean absolute error: the average of |prediction − truth|, in the target's unit. Lower is better.",
        "when every unit of error costs the same and outliers should not dominate.",
        "it does not tell a few big errors from many small ones; models minimizing squared error do not minimize it.",
    )),
    ("median_ae", e!(
        "The median of |prediction − truth|: the error of the typical row. Lower is better.",
        "to describe the typical error when a few rows are wildly off.",
        "it ignores the worse half of the errors entirely.",
    )),
    ("mape", e!(
        "Mean absolute percentage error: the average of |prediction − truth| / |truth|, as a fraction (0.1 = 10 %). Lower is better.",
        "when relative errors matter across targets of very different sizes (sales of small and large shops).",
        "it explodes when true values are near 0, and it punishes over-prediction more than under-prediction.",
    )),
    ("max_error", e!(
        "The largest |prediction − truth| over the rows. Lower is better.",
        "when the worst case matters (a guarantee to a customer).",
        "one row decides it, so it jumps from fold to fold.",
    )),
    ("r2", e!(
        "The coefficient of determination: 1 − (sum of squared errors) / (sum of squared deviations of the truth from its mean). 1 is perfect, 0 is as good as always predicting the mean, below 0 is worse than that.",
        "to compare models across targets of different scales.",
        "it is computed on each test fold with that fold's mean, so it can be negative; a score near 1 on unseen rows is suspicious: some column may be leaking the answer.",
    )),
    ("explained_variance", e!(
        "Like r2, but ignores a constant offset: the share of the target's variance that the errors do not have.",
        "rarely; to check a model whose errors are consistent apart from a shift.",
        "a model that is always off by the same amount still scores perfectly; prefer r2.",
    )),
    // ---- clustering (the clustering report's metrics)
    ("silhouette", e!(
        "For each row, (b − a) / max(a, b), where a is its mean distance to its own cluster and b to the nearest other cluster; averaged over the rows. From −1 to 1, higher is better.",
        "to choose the number of clusters: fit several k and compare.",
        "it favours round, well separated clusters; it costs a distance per pair of rows, so above 10,000 rows it is estimated on a sample.",
    )),
    ("davies_bouldin", e!(
        "The average over clusters of the worst ratio (spread of two clusters) / (distance between their centres). 0 is best; lower is better.",
        "as a cheap second opinion next to the silhouette.",
        "it compares centres only, so it favours round clusters.",
    )),
    ("calinski_harabasz", e!(
        "The ratio of the spread between clusters to the spread within them, scaled by the numbers of rows and clusters. Higher is better; it has no upper bound.",
        "to compare clusterings of the same data.",
        "it favours round clusters; the number means nothing across different data sets.",
    )),
    ("inertia", e!(
        "The sum of squared distances from each row to its cluster's centre: what KMeans minimizes. Lower is tighter.",
        "to look for an \"elbow\" when plotting it against the number of clusters.",
        "it always drops as k grows (k = number of rows gives 0), so it cannot choose k on its own; it depends on the features' scale.",
    )),
    ("adjusted_rand", e!(
        "How well the clusters agree with a reference labelling (the column set aside as reference), counting pairs of rows put together or apart; adjusted so that chance gives 0 and a perfect match 1.",
        "in teaching, when the true groups are known, to see whether the clustering found them.",
        "the reference is never used to fit; a low score can mean the clustering found another, equally real structure.",
    )),
    ("normalized_mutual_info", e!(
        "How much knowing the cluster tells about the reference label (the column set aside), normalized to [0, 1].",
        "in teaching, next to adjusted_rand, when the true groups are known.",
        "it is not adjusted for chance: it grows with the number of clusters even for random labels.",
    )),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimator::Task;
    use crate::metrics;
    use crate::pipeline::{ModelSpec, StepSpec};

    fn check(kind: &str, name: &str, e: Option<&Explanation>) {
        let e = e.unwrap_or_else(|| panic!("{kind} {name} has no explanation in src/pipeline/explain.rs"));
        for (part, text) in [("what", e.what), ("when", e.when), ("pitfall", e.pitfall)] {
            assert!(text.len() >= 20, "{kind} {name}: the {part} part is too short: {text:?}");
            assert!(text.ends_with('.') || text.ends_with(')'), "{kind} {name}: the {part} part should be a sentence: {text:?}");
        }
    }

    #[test]
    fn every_step_model_and_metric_is_explained() {
        for c in StepSpec::catalog().iter().chain(ModelSpec::catalog().iter()) {
            check("component", c.name, component(c.name));
            assert_eq!(c.explain, component(c.name), "{}: the catalogue carries the explanation", c.name);
        }
        for task in [Task::Classification, Task::Regression] {
            for m in metrics::scorer_names(task) {
                check("metric", m, metric(m));
            }
        }
        for m in CLUSTERING_METRICS {
            check("clustering metric", m, metric(m));
        }
    }

    #[test]
    fn no_explanation_is_orphaned_or_repeated() {
        let steps: Vec<&str> = StepSpec::catalog().iter().map(|c| c.name).collect();
        let models: Vec<&str> = ModelSpec::catalog().iter().map(|c| c.name).collect();
        for (i, (n, _)) in COMPONENTS.iter().enumerate() {
            assert!(steps.contains(n) || models.contains(n), "{n} is explained but is no registry entry");
            assert!(!COMPONENTS[..i].iter().any(|(m, _)| m == n), "{n} is explained twice");
        }
        let scorers: Vec<&str> = [Task::Classification, Task::Regression].iter().flat_map(|t| metrics::scorer_names(*t).iter().copied()).collect();
        for (i, (n, _)) in METRICS.iter().enumerate() {
            assert!(scorers.contains(n) || CLUSTERING_METRICS.contains(n), "metric {n} is explained but no scorer or clustering metric has that name");
            assert!(!METRICS[..i].iter().any(|(m, _)| m == n), "metric {n} is explained twice");
        }
    }

    #[test]
    fn markdown_lists_every_explanation_once() {
        let steps: Vec<&str> = StepSpec::catalog().iter().map(|c| c.name).collect();
        let models: Vec<&str> = ModelSpec::catalog().iter().map(|c| c.name).collect();
        let md = markdown(&steps, &models);
        for n in steps.iter().chain(models.iter()).chain(METRICS.iter().map(|(n, _)| n)) {
            assert_eq!(md.matches(&format!("- **`{n}`**: ")).count(), 1, "{n} in the markdown");
        }
        assert!(md.contains(&component("StandardScaler").unwrap().paragraph()));
    }
}
