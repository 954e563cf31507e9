//! One line per step and model: what it does, short enough for a box of the
//! page's pipeline diagram (the catalogue's `summary`; `help` says more).

/// The one-line summary of a step or model (by its class name); empty for an unknown name.
pub fn summary(name: &str) -> &'static str {
    match name {
        // steps
        "SimpleImputer" => "fills missing values (mean, median, mode, constant)",
        "OneHotEncoder" => "one 0/1 column per category",
        "StandardScaler" => "centres each column, scales it to unit variance",
        "PolynomialFeatures" => "adds powers and products of the columns",
        "KNNImputer" => "fills missing values from the nearest rows",
        "OrdinalEncoder" => "one integer code per category",
        "TargetEncoder" => "replaces a category by its mean target",
        "MinMaxScaler" => "rescales each column to [0, 1]",
        "RobustScaler" => "centres on the median, scales by the IQR",
        "MaxAbsScaler" => "divides each column by its largest |value|",
        "Normalizer" => "scales each row to unit length",
        "PowerTransformer" => "makes each column more Gaussian",
        "OutlierRemover" => "drops outlying training rows",
        "KBinsDiscretizer" => "cuts each column into bins",
        "FunctionTransformer" => "applies a function (log, sqrt…) to each value",
        "VarianceThreshold" => "drops columns that barely vary",
        "SelectKBest" => "keeps the k columns most related to the target",
        "SelectPercentile" => "keeps the top % of columns by a target test",
        "SelectFromModel" => "keeps the columns a model finds important",
        "CorrelationFilter" => "drops columns nearly equal to another",
        "PCA" => "projects onto the main directions of variance",
        "TruncatedSVD" => "projects onto the top singular vectors",
        "LinearDiscriminantAnalysis" => "projects onto the directions that separate classes",
        // models
        "LinearRegression" => "fits a straight line (least squares)",
        "LogisticRegression" => "linear model of class probabilities",
        "Ridge" => "least squares with an L2 penalty",
        "Lasso" => "least squares with an L1 penalty (sparse)",
        "ElasticNet" => "least squares with L1 + L2 penalties",
        "LinearSVC" => "linear maximum-margin classifier",
        "SVC" => "kernel (RBF) maximum-margin classifier",
        "KNeighborsClassifier" => "votes among the nearest training rows",
        "KNeighborsRegressor" => "averages the nearest training rows",
        "GaussianNB" => "Bayes' rule with Gaussian features",
        "KMeans" => "k clusters around centres",
        "DBSCAN" => "clusters of dense regions, noise apart",
        "AgglomerativeClustering" => "merges the closest clusters step by step",
        "DecisionTreeClassifier" => "a tree of yes/no questions → a class",
        "DecisionTreeRegressor" => "a tree of yes/no questions → a value",
        "RandomForestClassifier" => "many randomized trees vote",
        "RandomForestRegressor" => "many randomized trees average",
        "GradientBoostingClassifier" => "trees added one by one to fix errors",
        "GradientBoostingRegressor" => "trees added one by one to fix errors",
        "HistGradientBoostingClassifier" => "fast boosted trees on binned features",
        "HistGradientBoostingRegressor" => "fast boosted trees on binned features",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ModelSpec, StepSpec};

    #[test]
    fn every_step_and_model_has_a_one_line_summary() {
        for c in StepSpec::catalog().into_iter().chain(ModelSpec::catalog()) {
            assert!(!c.summary.is_empty(), "{} has no summary", c.name);
            assert!(c.summary.chars().count() <= 60 && !c.summary.contains('\n'), "{}: summary too long for one line", c.name);
        }
    }
}
