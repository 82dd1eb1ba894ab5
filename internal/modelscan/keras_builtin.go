package modelscan

import "strings"

// kerasBuiltins are the class names Keras 2 (tf.keras) and Keras 3 resolve
// without user code: layers, models, initializers, regularizers,
// constraints, optimizers, losses, metrics, schedules and dtype policies.
// A Keras 2 config names classes without a module, so a class_name outside
// this set is a custom object: loading needs code the file does not carry.
var kerasBuiltins = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`
Sequential Functional Model InputLayer Input InputSpec
Dense EinsumDense Activation Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D GaussianDropout GaussianNoise AlphaDropout
Flatten Reshape Permute RepeatVector Lambda Masking Identity ActivityRegularization Cropping1D Cropping2D Cropping3D
UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D
Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose SeparableConv1D SeparableConv2D DepthwiseConv1D DepthwiseConv2D
Convolution1D Convolution2D Convolution3D Convolution2DTranspose Convolution3DTranspose SeparableConvolution1D SeparableConvolution2D
MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D AveragePooling2D AveragePooling3D MaxPool1D MaxPool2D MaxPool3D AvgPool1D AvgPool2D AvgPool3D
GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D
GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D
LSTM GRU SimpleRNN RNN Bidirectional TimeDistributed ConvLSTM1D ConvLSTM2D ConvLSTM3D LSTMCell GRUCell SimpleRNNCell StackedRNNCells CuDNNLSTM CuDNNGRU
LSTMV1 GRUV1 PeepholeLSTMCell AbstractRNNCell
Embedding BatchNormalization LayerNormalization GroupNormalization UnitNormalization SyncBatchNormalization SpectralNormalization
MultiHeadAttention Attention AdditiveAttention GroupedQueryAttention
Add Subtract Multiply Average Maximum Minimum Concatenate Dot
ReLU LeakyReLU PReLU ELU ThresholdedReLU Softmax
Normalization Rescaling Resizing CenterCrop RandomCrop RandomFlip RandomRotation RandomZoom RandomTranslation RandomContrast RandomBrightness RandomHeight RandomWidth
TextVectorization StringLookup IntegerLookup Discretization Hashing CategoryEncoding HashedCrossing
TFOpLambda SlicingOpLambda TensorFlowOpLayer KerasLayer Layer Wrapper
GlorotUniform GlorotNormal HeUniform HeNormal LecunUniform LecunNormal Zeros Ones Constant RandomNormal RandomUniform TruncatedNormal
Orthogonal Identity VarianceScaling glorot_uniform glorot_normal he_uniform he_normal zeros ones orthogonal
L1 L2 L1L2 OrthogonalRegularizer l1 l2 l1_l2
MaxNorm MinMaxNorm NonNeg UnitNorm RadialConstraint max_norm non_neg unit_norm
Adam AdamW Adamax Adadelta Adagrad Adafactor Ftrl Lion Nadam RMSprop SGD LossScaleOptimizer Optimizer
ExponentialDecay PiecewiseConstantDecay PolynomialDecay InverseTimeDecay CosineDecay CosineDecayRestarts
BinaryCrossentropy CategoricalCrossentropy SparseCategoricalCrossentropy MeanSquaredError MeanAbsoluteError MeanAbsolutePercentageError
MeanSquaredLogarithmicError Hinge SquaredHinge CategoricalHinge Huber LogCosh Poisson KLDivergence CosineSimilarity BinaryFocalCrossentropy CategoricalFocalCrossentropy
Accuracy BinaryAccuracy CategoricalAccuracy SparseCategoricalAccuracy TopKCategoricalAccuracy SparseTopKCategoricalAccuracy AUC Precision Recall
Mean Sum MeanMetricWrapper MeanIoU F1Score FBetaScore RootMeanSquaredError
DTypePolicy FloatDTypePolicy QuantizedDTypePolicy Policy
TensorShape __tuple__ __keras_tensor__ __ellipsis__ __numpy__ __bytes__ __tensor__ __typespec__ __slice__ EagerTensor
`) {
		m[n] = true
	}
	return m
}()
