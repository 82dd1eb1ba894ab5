package openai

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
)

// Image sizes defined by the OpenAI API.
const (
	CreateImageSize256x256   = "256x256"
	CreateImageSize512x512   = "512x512"
	CreateImageSize1024x1024 = "1024x1024"

	// dall-e-3 supported only.
	CreateImageSize1792x1024 = "1792x1024"
	CreateImageSize1024x1792 = "1024x1792"

	// GPT Image models only.
	CreateImageSize1536x1024 = "1536x1024" // Landscape
	CreateImageSize1024x1536 = "1024x1536" // Portrait
)

const (
	// dall-e-2 and dall-e-3 only.
	CreateImageResponseFormatB64JSON = "b64_json"
	CreateImageResponseFormatURL     = "url"
)

const (
	CreateImageModelDallE2             = "dall-e-2"
	CreateImageModelDallE3             = "dall-e-3"
	CreateImageModelGptImage1          = "gpt-image-1"
	CreateImageModelGptImage1Mini      = "gpt-image-1-mini"
	CreateImageModelGptImage1Dot5      = "gpt-image-1.5"
	CreateImageModelGptImage2          = "gpt-image-2"
	CreateImageModelChatGPTImageLatest = "chatgpt-image-latest"
)
