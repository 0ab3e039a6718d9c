<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name />
    <message>
        <source>{what} can be {lo} to {hi}</source>
        <translation>{what} 可取 {lo} 到 {hi}</translation>
    </message>
    <message>
        <source>{v} is out of range: {range}</source>
        <translation>{v} 超出范围：{range}</translation>
    </message>
    <message>
        <source>{v} is out of range: {range}; kept {old}</source>
        <translation>{v} 超出范围：{range}；保留原值 {old}</translation>
    </message>
    <message>
        <source>the value</source>
        <translation>该值</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>auto ({n})</source>
        <translation>自动（{n}）</translation>
    </message>
    <message>
        <source>{arg} (width)</source>
        <translation>{arg}（宽）</translation>
    </message>
    <message>
        <source>height</source>
        <translation>高</translation>
    </message>
    <message>
        <source>width</source>
        <translation>宽</translation>
    </message>
    <message>
        <source>Same value for height and width; untick to set them apart</source>
        <translation>高和宽取相同的值；取消勾选可分别设置</translation>
    </message>
    <message>
        <source>{arg} (height)</source>
        <translation>{arg}（高）</translation>
    </message>
    <message>
        <source>numbers</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>'same' keeps the size (stride 1 only); 'valid' adds no padding</source>
        <translation>'same' 保持尺寸（仅限步长 1）；'valid' 不填充</translation>
    </message>
    <message>
        <source>= kernel_size</source>
        <translation>= kernel_size</translation>
    </message>
    <message>
        <source>window size</source>
        <translation>窗口大小</translation>
    </message>
    <message>
        <source>per channel</source>
        <translation>按通道</translation>
    </message>
    <message>
        <source>ch {c}</source>
        <translation>通道 {c}</translation>
    </message>
    <message>
        <source>colours normalised per channel · channel {c}: {lo} to {hi}</source>
        <translation>颜色按通道归一化 · 通道 {c}：{lo} 至 {hi}</translation>
    </message>
    <message>
        <source>channel {c}: {lo} to {hi}</source>
        <translation>通道 {c}：{lo} 至 {hi}</translation>
    </message>
    <message>
        <source>colours: {lo} to {hi} (all layers)</source>
        <translation>颜色：{lo} 至 {hi}（所有层）</translation>
    </message>
    <message>
        <source>colours: {lo} to {hi} (this layer)</source>
        <translation>颜色：{lo} 至 {hi}（本层）</translation>
    </message>
    <message>
        <source>channel {c} · y {y}, x {x} · &lt;b&gt;{v}&lt;/b&gt;</source>
        <translation>通道 {c} · y {y}, x {x} · &lt;b&gt;{v}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>a drawn input</source>
        <translation>手绘输入</translation>
    </message>
    <message>
        <source>Not computed: stopped — press F5 to compute</source>
        <translation>未计算：已停止——按 F5 计算</translation>
    </message>
    <message>
        <source>Click a channel in any map to enlarge it here.</source>
        <translation>点击任意特征图中的一个通道，在此放大显示。</translation>
    </message>
    <message>
        <source>Show the whole channel again (the wheel zooms, dragging pans)</source>
        <translation>重新显示整个通道（滚轮缩放，拖动平移）</translation>
    </message>
    <message>
        <source>y {y}, x {x} · value {v}</source>
        <translation>y {y}, x {x} · 值 {v}</translation>
    </message>
    <message>
        <source>Colours normalised per channel: each channel from its own minimum to its maximum (ranges beside the channel numbers)</source>
        <translation>颜色按通道归一化：每个通道从自身的最小值到最大值（范围标在通道编号旁）</translation>
    </message>
    <message>
        <source>Colours normalised per channel: each channel from -m to +m, m its largest magnitude (beside the channel numbers)</source>
        <translation>颜色按通道归一化：每个通道从 -m 到 +m，m 为其最大绝对值（标在通道编号旁）</translation>
    </message>
    <message>
        <source>Colours: one scale for all layers, {lo} to {hi}</source>
        <translation>颜色：所有层共用一个刻度，{lo} 至 {hi}</translation>
    </message>
    <message>
        <source>Colours: this layer's range, {lo} to {hi}</source>
        <translation>颜色：本层的范围，{lo} 至 {hi}</translation>
    </message>
    <message>
        <source>{lo} to {hi}</source>
        <translation>{lo} 至 {hi}</translation>
    </message>
    <message>
        <source>min</source>
        <translation>最小</translation>
    </message>
    <message>
        <source>max</source>
        <translation>最大</translation>
    </message>
    <message>
        <source>What the first layer sees: a photo, a synthetic pattern, or your own image</source>
        <translation>第一层看到的内容：照片、合成图案或你自己的图像</translation>
    </message>
    <message>
        <source>Grayscale (1 channel)</source>
        <translation>灰度（1 个通道）</translation>
    </message>
    <message>
        <source>RGB (3 channels)</source>
        <translation>RGB（3 个通道）</translation>
    </message>
    <message>
        <source>The number of input channels: 1 for grayscale, 3 for red, green and blue</source>
        <translation>输入通道数：灰度为 1，红绿蓝为 3</translation>
    </message>
    <message>
        <source>The input height</source>
        <translation>输入高度</translation>
    </message>
    <message>
        <source>The input width</source>
        <translation>输入宽度</translation>
    </message>
    <message>
        <source>Input {what} in pixels; the image is fitted to it</source>
        <translation>输入的{what}（像素）；图像按所选方式适配到该尺寸</translation>
    </message>
    <message>
        <source>Stretch to the size</source>
        <translation>拉伸到该尺寸</translation>
    </message>
    <message>
        <source>Centre crop</source>
        <translation>居中裁剪</translation>
    </message>
    <message>
        <source>Pad with black bars</source>
        <translation>加黑边填充</translation>
    </message>
    <message>
        <source>How an image whose proportions differ from height × width is fitted: stretched (its proportions change), centre-cropped (its edges are cut off) or padded (all of it, centred on black bars of 0). Transparent pixels are composited on white, for grayscale and RGB alike. Patterns are drawn at the size and need no fitting.</source>
        <translation>图像的宽高比例与“高 × 宽”不同时如何适配：拉伸（比例会改变）、居中裁剪（边缘被裁掉）或填充（整幅图像居中，两侧补值为 0 的黑边）。透明像素合成在白色背景上，灰度和 RGB 都一样。图案按该尺寸直接绘制，无需适配。</translation>
    </message>
    <message>
        <source>Resize the shorter side</source>
        <translation>缩放短边</translation>
    </message>
    <message>
        <source>no</source>
        <translation>不缩放</translation>
    </message>
    <message>
        <source>First resize the image so its shorter side has this many pixels, keeping its proportions (bilinear); then fit it to the size. Resize 256 with Centre crop at 224 × 224 is torchvision's Resize(256) and CenterCrop(224). 'no': the image goes to the fit as it is.</source>
        <translation>先把图像缩放到短边为这么多像素，保持比例（双线性插值）；再适配到尺寸。缩放 256 加 224 × 224 的居中裁剪，就是 torchvision 的 Resize(256) 和 CenterCrop(224)。“不缩放”：图像原样进入适配。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Normalisation after scaling to [0, 1]: each channel becomes (value − mean) / std. One number per channel, separated by commas, or one for all; both empty: none.</source>
        <translation>缩放到 [0, 1] 之后的归一化：每个通道变为 (值 − 均值) / 标准差。每个通道一个数，用逗号分隔，或一个数用于所有通道；两者都为空：不归一化。</translation>
    </message>
    <message>
        <source>ImageNet</source>
        <translation>ImageNet</translation>
    </message>
    <message>
        <source>The normalisation torchvision's ImageNet weights expect: mean 0.485, 0.456, 0.406 and std 0.229, 0.224, 0.225</source>
        <translation>torchvision 的 ImageNet 权重所要求的归一化：均值 0.485, 0.456, 0.406，标准差 0.229, 0.224, 0.225</translation>
    </message>
    <message>
        <source>Use a PNG, JPEG or BMP file (or drop one on the window); transparent pixels are composited on white</source>
        <translation>使用 PNG、JPEG 或 BMP 文件（或把文件拖到窗口上）；透明像素合成在白色背景上</translation>
    </message>
    <message>
        <source>Size (H × W)</source>
        <translation>尺寸（高 × 宽）</translation>
    </message>
    <message>
        <source>Preprocessing for trained networks</source>
        <translation>训练好的网络所需的预处理</translation>
    </message>
    <message>
        <source>Resize, centre crop and normalisation, as a trained network's weights expect them (torchvision's transforms)</source>
        <translation>缩放、居中裁剪和归一化，按训练好的网络权重的要求（与 torchvision 的预处理变换相同）</translation>
    </message>
    <message>
        <source>Change resize</source>
        <translation>修改缩放</translation>
    </message>
    <message>
        <source>“{t}” is not a number: write numbers separated by commas, e.g. 0.485, 0.456, 0.406</source>
        <translation>“{t}”不是数：请写用逗号分隔的数，例如 0.485, 0.456, 0.406</translation>
    </message>
    <message>
        <source>Give both mean and std (or neither).</source>
        <translation>请同时给出均值（mean）和标准差（std），或都不给。</translation>
    </message>
    <message>
        <source>Change normalisation</source>
        <translation>修改归一化</translation>
    </message>
    <message>
        <source>Normalised: (value − mean) / std, mean {m}, std {s}</source>
        <translation>已归一化：(值 − 均值) / 标准差，均值 {m}，标准差 {s}</translation>
    </message>
    <message>
        <source>Image {size} (H × W), shorter side resized to {r}: {rsize}</source>
        <translation>图像 {size}（高 × 宽），短边缩放到 {r}：{rsize}</translation>
    </message>
    <message>
        <source>Resized image {size}</source>
        <translation>缩放后的图像 {size}</translation>
    </message>
    <message>
        <source>Image {size} (H × W)</source>
        <translation>图像 {size}（高 × 宽）</translation>
    </message>
    <message>
        <source>{image}, used at its own size</source>
        <translation>{image}，按原尺寸使用</translation>
    </message>
    <message>
        <source>{image}, resized to {target}</source>
        <translation>{image}，缩放到 {target}</translation>
    </message>
    <message>
        <source>{image}, stretched to {target}</source>
        <translation>{image}，拉伸到 {target}</translation>
    </message>
    <message>
        <source>{image}, centre-cropped to {target}</source>
        <translation>{image}，居中裁剪到 {target}</translation>
    </message>
    <message>
        <source>{image}, padded to {target} with black bars</source>
        <translation>{image}，用黑边填充到 {target}</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适配</translation>
    </message>
    <message>
        <source>Input tensor [{c}, {h}, {w}] (channels, height, width)</source>
        <translation>输入张量 [{c}, {h}, {w}]（通道，高，宽）</translation>
    </message>
    <message>
        <source>Open image…</source>
        <translation>打开图像…</translation>
    </message>
    <message>
        <source>The seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Seed of the random weights: the same seed always gives the same numbers</source>
        <translation>随机权重的种子：种子相同，数值就相同</translation>
    </message>
    <message>
        <source>New seed</source>
        <translation>新种子</translation>
    </message>
    <message>
        <source>Draw new random weights</source>
        <translation>重新抽取随机权重</translation>
    </message>
    <message>
        <source>Sizes are height × width, the order of the tensor's dimensions</source>
        <translation>尺寸均按“高 × 宽”书写，与张量维度的顺序一致</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Resize</source>
        <translation>缩放</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>{n} channels</source>
        <translation>{n} 个通道</translation>
    </message>
    <message>
        <source>Change input image</source>
        <translation>更改输入图像</translation>
    </message>
    <message>
        <source>Change image fit</source>
        <translation>更改图像适配方式</translation>
    </message>
    <message>
        <source>Change input colour</source>
        <translation>更改输入颜色</translation>
    </message>
    <message>
        <source>Change input size</source>
        <translation>更改输入尺寸</translation>
    </message>
    <message>
        <source>Kernel</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>Typed numbers</source>
        <translation>手动输入的数字</translation>
    </message>
    <message>
        <source>Where this layer's weights come from: the seed, a classic named kernel, or numbers you type in the grid</source>
        <translation>该层权重的来源：随机种子、经典的命名卷积核，或在表格中输入的数字</translation>
    </message>
    <message>
        <source>Which kernel (output channel) the grid shows</source>
        <translation>表格显示哪个卷积核（输出通道）</translation>
    </message>
    <message>
        <source>Which input channel of that kernel the grid shows</source>
        <translation>表格显示该卷积核的哪个输入通道</translation>
    </message>
    <message>
        <source>Double-click a number to change it; the layer then keeps typed numbers</source>
        <translation>双击数字即可修改；之后该层保留手动输入的数字</translation>
    </message>
    <message>
        <source>kernel</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>The numbers appear once the layer is computed.</source>
        <translation>该层计算完成后显示数字。</translation>
    </message>
    <message>
        <source>Weight tensor {shape}.</source>
        <translation>权重张量 {shape}。</translation>
    </message>
    <message>
        <source>Double-click a number to edit it.</source>
        <translation>双击数字即可编辑。</translation>
    </message>
    <message>
        <source>Too many weights to type by hand; choose a named kernel.</source>
        <translation>权重太多，无法手动输入；请选择一个命名卷积核。</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Add a layer after the selected one</source>
        <translation>在所选层之后添加一层</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Duplicate the selected layer (Ctrl+D)</source>
        <translation>复制所选层（Ctrl+D）</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Remove the selected layer (Delete)</source>
        <translation>删除所选层（Delete）</translation>
    </message>
    <message>
        <source>Move the selected layer up (Ctrl+Up)</source>
        <translation>上移所选层（Ctrl+Up）</translation>
    </message>
    <message>
        <source>Move the selected layer down (Ctrl+Down)</source>
        <translation>下移所选层（Ctrl+Down）</translation>
    </message>
    <message>
        <source>The stack is empty: the maps show only the input. &lt;a href="Conv2d"&gt;Add a Conv2d layer&lt;/a&gt;, or choose any layer from &lt;b&gt;Add&lt;/b&gt;.</source>
        <translation>层栈是空的：特征图只显示输入。&lt;a href="Conv2d"&gt;添加一个 Conv2d 层&lt;/a&gt;，或从&lt;b&gt;添加&lt;/b&gt;菜单选择任意层。</translation>
    </message>
    <message>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Classifier</source>
        <translation>分类器</translation>
    </message>
    <message>
        <source>Not computed: layer {i} is invalid</source>
        <translation>未计算：第 {i} 层无效</translation>
    </message>
    <message>
        <source>Layer {i}: {type}</source>
        <translation>第 {i} 层：{type}</translation>
    </message>
    <message>
        <source>This layer has no arguments.</source>
        <translation>该层没有参数。</translation>
    </message>
    <message>
        <source>Add Layer</source>
        <translation>添加层</translation>
    </message>
    <message>
        <source>Convolution</source>
        <translation>卷积</translation>
    </message>
    <message>
        <source>Pooling</source>
        <translation>池化</translation>
    </message>
    <message>
        <source>Normalisation</source>
        <translation>归一化</translation>
    </message>
    <message>
        <source>Activation</source>
        <translation>激活函数</translation>
    </message>
    <message>
        <source>Feature maps</source>
        <translation>特征图</translation>
    </message>
    <message>
        <source>Kernel stepper</source>
        <translation>卷积步进器</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Shapes</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>Walkthrough</source>
        <translation>教程</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Kernels</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>Predictions</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Drawing pad</source>
        <translation>画板</translation>
    </message>
    <message>
        <source>3-D kernel</source>
        <translation>三维卷积核</translation>
    </message>
    <message>
        <source>Top-5 Classes</source>
        <translation>前 5 个类别</translation>
    </message>
    <message>
        <source>Starting the compute engine…</source>
        <translation>正在启动计算引擎…</translation>
    </message>
    <message>
        <source>This change cannot be made</source>
        <translation>无法进行此更改</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <source>Start a new project</source>
        <translation>新建一个工程</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a project file</source>
        <translation>打开工程文件</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save the project</source>
        <translation>保存工程</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Save the project under a new name</source>
        <translation>以新名称保存工程</translation>
    </message>
    <message>
        <source>Recover &amp;Unsaved Work</source>
        <translation>恢复未保存的工作(&amp;U)</translation>
    </message>
    <message>
        <source>Restore work kept when convviz last stopped without saving</source>
        <translation>恢复 convviz 上次未保存就停止时保留的工作</translation>
    </message>
    <message>
        <source>Open &amp;Image…</source>
        <translation>打开图像(&amp;I)…</translation>
    </message>
    <message>
        <source>Use an image file as the input</source>
        <translation>使用图像文件作为输入</translation>
    </message>
    <message>
        <source>Window as PNG…</source>
        <translation>窗口为 PNG…</translation>
    </message>
    <message>
        <source>Save a picture of the whole window</source>
        <translation>保存整个窗口的图片</translation>
    </message>
    <message>
        <source>Selected Layer's Maps as PNG…</source>
        <translation>所选层的特征图为 PNG…</translation>
    </message>
    <message>
        <source>Save the selected layer's feature maps at full resolution</source>
        <translation>以全分辨率保存所选层的特征图</translation>
    </message>
    <message>
        <source>PyTorch Code…</source>
        <translation>PyTorch 代码…</translation>
    </message>
    <message>
        <source>Save the stack as an nn.Sequential with the same weights</source>
        <translation>将网络保存为权重相同的 nn.Sequential</translation>
    </message>
    <message>
        <source>Shapes Table as CSV…</source>
        <translation>形状表为 CSV…</translation>
    </message>
    <message>
        <source>Save the shapes table as CSV</source>
        <translation>将形状表保存为 CSV</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Quit convviz</source>
        <translation>退出 convviz</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Duplicate Layer</source>
        <translation>复制层(&amp;D)</translation>
    </message>
    <message>
        <source>Duplicate the selected layer</source>
        <translation>复制所选层</translation>
    </message>
    <message>
        <source>&amp;Remove Layer</source>
        <translation>删除层(&amp;R)</translation>
    </message>
    <message>
        <source>Remove the selected layer</source>
        <translation>删除所选层</translation>
    </message>
    <message>
        <source>Move Layer &amp;Up</source>
        <translation>上移层(&amp;U)</translation>
    </message>
    <message>
        <source>Move the selected layer up</source>
        <translation>上移所选层</translation>
    </message>
    <message>
        <source>Move Layer Do&amp;wn</source>
        <translation>下移层(&amp;W)</translation>
    </message>
    <message>
        <source>Move the selected layer down</source>
        <translation>下移所选层</translation>
    </message>
    <message>
        <source>Copy Table as &amp;Markdown</source>
        <translation>以 Markdown 格式复制表格(&amp;M)</translation>
    </message>
    <message>
        <source>Copy the shapes table as Markdown</source>
        <translation>以 Markdown 格式复制形状表</translation>
    </message>
    <message>
        <source>Copy Table as &amp;CSV</source>
        <translation>以 CSV 格式复制表格(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the shapes table as CSV</source>
        <translation>以 CSV 格式复制形状表</translation>
    </message>
    <message>
        <source>Normalise per &amp;Channel</source>
        <translation>按通道归一化(&amp;C)</translation>
    </message>
    <message>
        <source>Normalise per &amp;Layer</source>
        <translation>按层归一化(&amp;L)</translation>
    </message>
    <message>
        <source>Normalise &amp;Globally</source>
        <translation>全局归一化(&amp;G)</translation>
    </message>
    <message>
        <source>How the colours of the maps are scaled</source>
        <translation>特征图颜色的缩放方式</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Compute device and threads</source>
        <translation>计算设备与线程</translation>
    </message>
    <message>
        <source>Show PyTorch &amp;Code</source>
        <translation>显示 PyTorch 代码(&amp;C)</translation>
    </message>
    <message>
        <source>Show the stack as PyTorch code</source>
        <translation>以 PyTorch 代码显示网络</translation>
    </message>
    <message>
        <source>Kernel &amp;Stepper</source>
        <translation>卷积步进器(&amp;S)</translation>
    </message>
    <message>
        <source>Watch the selected layer's kernel slide, step by step</source>
        <translation>逐步观察所选层卷积核的滑动</translation>
    </message>
    <message>
        <source>Feature &amp;Maps</source>
        <translation>特征图(&amp;M)</translation>
    </message>
    <message>
        <source>Show every layer's feature maps</source>
        <translation>显示每一层的特征图</translation>
    </message>
    <message>
        <source>Clear Receptive &amp;Field</source>
        <translation>清除感受野(&amp;F)</translation>
    </message>
    <message>
        <source>Remove the receptive-field overlay</source>
        <translation>移除感受野叠加层</translation>
    </message>
    <message>
        <source>&amp;Effective Receptive Field on Click</source>
        <translation>点击时计算有效感受野(&amp;E)</translation>
    </message>
    <message>
        <source>Also compute the gradient-based effective receptive field of the clicked pixel (Luo et al. 2016)</source>
        <translation>同时计算所点击像素基于梯度的有效感受野（Luo 等，2016）</translation>
    </message>
    <message>
        <source>Average It over 16 Random Inputs</source>
        <translation>在 16 个随机输入上取平均</translation>
    </message>
    <message>
        <source>Average the effective receptive field over random inputs instead of using the image</source>
        <translation>用随机输入的平均代替当前图像来计算有效感受野</translation>
    </message>
    <message>
        <source>&amp;Compute Now</source>
        <translation>立即计算(&amp;C)</translation>
    </message>
    <message>
        <source>Compute the maps again (after Stop)</source>
        <translation>重新计算特征图（停止之后）</translation>
    </message>
    <message>
        <source>S&amp;top Computing</source>
        <translation>停止计算(&amp;T)</translation>
    </message>
    <message>
        <source>Stop the running computation or background job</source>
        <translation>停止正在进行的计算或后台任务</translation>
    </message>
    <message>
        <source>&amp;Walkthrough</source>
        <translation>教程(&amp;W)</translation>
    </message>
    <message>
        <source>The guided lesson on convolution, chapter by chapter</source>
        <translation>逐章讲解卷积的教程</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About convviz</source>
        <translation>关于 convviz(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>导入(&amp;I)</translation>
    </message>
    <message>
        <source>Open &amp;Preset</source>
        <translation>打开预设(&amp;P)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Input&lt;/b&gt; · {shape} · {src}</source>
        <translation>&lt;b&gt;输入&lt;/b&gt; · {shape} · {src}</translation>
    </message>
    <message>
        <source>params</source>
        <translation>个参数</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <source>torch {v} · {d}</source>
        <translation>torch {v} · {d}</translation>
    </message>
    <message>
        <source>Arithmetic &amp;atlas (Dumoulin &amp;&amp; Visin)</source>
        <translation>卷积算术图集(&amp;A)（Dumoulin &amp;&amp; Visin）</translation>
    </message>
    <message>
        <source>Settings: {key} is damaged; using the default layout</source>
        <translation>设置：{key} 已损坏，使用默认布局</translation>
    </message>
    <message>
        <source>Stopped · F5 computes</source>
        <translation>已停止 · 按 F5 计算</translation>
    </message>
    <message>
        <source>{n} layers in {ms:.0f} ms ({r} reused) · {dev}</source>
        <translation>{n} 层，用时 {ms:.0f} 毫秒（复用 {r} 层）· {dev}</translation>
    </message>
    <message>
        <source>compute error</source>
        <translation>计算出错</translation>
    </message>
    <message>
        <source>no pixel: this output depends only on the bias (its window lies in the padding)</source>
        <translation>没有像素：这个输出只取决于偏置（它的窗口完全落在填充里）</translation>
    </message>
    <message>
        <source>{n} pixels ({rows} rows × {cols} columns) within rows {t}–{b}, columns {l}–{r}</source>
        <translation>{n} 个像素（{rows} 行 × {cols} 列），位于第 {t}–{b} 行、第 {l}–{r} 列</translation>
    </message>
    <message>
        <source>Clicked pixel (y {y}, x {x}) of layer {l}</source>
        <translation>第 {l} 层被点击的像素 (y {y}, x {x})</translation>
    </message>
    <message>
        <source>Receptive field of layer {l} (y {y}, x {x}): {d}</source>
        <translation>第 {l} 层 (y {y}, x {x}) 的感受野：{d}</translation>
    </message>
    <message>
        <source> · theoretical box {h}×{w} (dashed)</source>
        <translation> · 理论感受野 {h}×{w}（虚线框）</translation>
    </message>
    <message>
        <source>Receptive field of layer {l} (y {y}, x {x}) on the input: {d}</source>
        <translation>第 {l} 层 (y {y}, x {x}) 在输入上的感受野：{d}</translation>
    </message>
    <message>
        <source>Computing the effective receptive field…</source>
        <translation>正在计算有效感受野…</translation>
    </message>
    <message>
        <source>Effective receptive field</source>
        <translation>有效感受野</translation>
    </message>
    <message>
        <source>The effective receptive field was for the stack before your edit; click the pixel again</source>
        <translation>这个有效感受野属于你修改之前的网络；请再次点击该像素</translation>
    </message>
    <message>
        <source>averaged over {n} random inputs</source>
        <translation>在 {n} 个随机输入上取平均</translation>
    </message>
    <message>
        <source>on this image</source>
        <translation>基于当前图像</translation>
    </message>
    <message>
        <source>theoretical field {h}×{w} (dashed)</source>
        <translation>理论感受野 {h}×{w}（虚线框）</translation>
    </message>
    <message>
        <source>Effective receptive field of layer {l} (y {y}, x {x}) ready</source>
        <translation>第 {l} 层 (y {y}, x {x}) 的有效感受野已算好</translation>
    </message>
    <message>
        <source>&lt;b&gt;Effective receptive field&lt;/b&gt; of layer {l} (y {y}, x {x}), |∂out/∂input| {src}; {size}</source>
        <translation>第 {l} 层 (y {y}, x {x}) 的&lt;b&gt;有效感受野&lt;/b&gt;，|∂输出/∂输入| {src}；{size}</translation>
    </message>
    <message>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>layer {i}</source>
        <translation>第 {i} 层</translation>
    </message>
    <message>
        <source>{name} · channel {c} · y {y}, x {x} · value {v:.5g}</source>
        <translation>{name} · 通道 {c} · y {y}, x {x} · 值 {v:.5g}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{what}&lt;/b&gt; · channel {c} · {h}×{w}</source>
        <translation>&lt;b&gt;{what}&lt;/b&gt; · 通道 {c} · {h}×{w}</translation>
    </message>
    <message>
        <source>Add {t}</source>
        <translation>添加 {t}</translation>
    </message>
    <message>
        <source>Remove {t}</source>
        <translation>删除 {t}</translation>
    </message>
    <message>
        <source>Duplicate {t}</source>
        <translation>复制 {t}</translation>
    </message>
    <message>
        <source>Reorder layers</source>
        <translation>重新排序各层</translation>
    </message>
    <message>
        <source>Layer {i}: {msg}</source>
        <translation>第 {i} 层：{msg}</translation>
    </message>
    <message>
        <source>Change {arg} of layer {i}</source>
        <translation>更改第 {i} 层的 {arg}</translation>
    </message>
    <message>
        <source>Change kernel of layer {i}</source>
        <translation>更改第 {i} 层的卷积核</translation>
    </message>
    <message>
        <source>Change seed</source>
        <translation>更改随机种子</translation>
    </message>
    <message>
        <source>This file cannot be used as the input</source>
        <translation>该文件不能用作输入</translation>
    </message>
    <message>
        <source>Open image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>The project has changes that are not saved.</source>
        <translation>工程有尚未保存的修改。</translation>
    </message>
    <message>
        <source>Save them before continuing?</source>
        <translation>继续之前要保存吗？</translation>
    </message>
    <message>
        <source>New project: an empty stack on the same input</source>
        <translation>新项目：同一输入上的空层栈</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>打开工程</translation>
    </message>
    <message>
        <source>This project cannot be opened</source>
        <translation>无法打开该工程</translation>
    </message>
    <message>
        <source>Opened {p}</source>
        <translation>已打开 {p}</translation>
    </message>
    <message>
        <source>This preset cannot be opened</source>
        <translation>无法打开该预设</translation>
    </message>
    <message>
        <source>Preset: {t}</source>
        <translation>预设：{t}</translation>
    </message>
    <message>
        <source>Save project</source>
        <translation>保存工程</translation>
    </message>
    <message>
        <source>The project could not be saved</source>
        <translation>无法保存工程</translation>
    </message>
    <message>
        <source>Saved {p}</source>
        <translation>已保存 {p}</translation>
    </message>
    <message>
        <source>Save window as PNG</source>
        <translation>将窗口保存为 PNG</translation>
    </message>
    <message>
        <source>The picture could not be saved</source>
        <translation>无法保存图片</translation>
    </message>
    <message>
        <source>Nothing to export</source>
        <translation>没有可导出的内容</translation>
    </message>
    <message>
        <source>Input · {shape} · {src}</source>
        <translation>输入 · {shape} · {src}</translation>
    </message>
    <message>
        <source>Layer {i} · {type}({args}) → {shape}</source>
        <translation>第 {i} 层 · {type}({args}) → {shape}</translation>
    </message>
    <message>
        <source>The selected layer has no maps yet.</source>
        <translation>所选层还没有特征图。</translation>
    </message>
    <message>
        <source>Save the layer's maps as PNG</source>
        <translation>将该层的特征图保存为 PNG</translation>
    </message>
    <message>
        <source>The file could not be saved</source>
        <translation>无法保存文件</translation>
    </message>
    <message>
        <source>Save PyTorch code</source>
        <translation>保存 PyTorch 代码</translation>
    </message>
    <message>
        <source>Save shapes table</source>
        <translation>保存形状表</translation>
    </message>
    <message>
        <source>PyTorch code</source>
        <translation>PyTorch 代码</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>About convviz</source>
        <translation>关于 convviz</translation>
    </message>
    <message>
        <source>&lt;h3&gt;convviz {v}&lt;/h3&gt;&lt;p&gt;Make convolution visible: stack torch.nn layers over a real image and watch every layer answer.&lt;/p&gt;&lt;p&gt;Every shape, count and map is computed by torch.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;convviz {v}&lt;/h3&gt;&lt;p&gt;让卷积看得见：在真实图像上堆叠 torch.nn 层，观察每一层的输出。&lt;/p&gt;&lt;p&gt;每个形状、计数和特征图都由 torch 计算。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>{what}, last changed {when}</source>
        <translation>{what}，最后修改于 {when}</translation>
    </message>
    <message>
        <source>Autosave failed: {path}: {why}</source>
        <translation>自动保存失败：{path}：{why}</translation>
    </message>
    <message>
        <source>Recover unsaved work</source>
        <translation>恢复未保存的工作</translation>
    </message>
    <message>
        <source>convviz was not closed normally. Unsaved work was kept: {what}.</source>
        <translation>convviz 上次没有正常关闭。未保存的工作已保留：{what}。</translation>
    </message>
    <message>
        <source>Restore it now? Discard deletes the copy; Later keeps it for File &gt; Recover Unsaved Work.</source>
        <translation>现在恢复吗？“丢弃”会删除这份副本；“稍后”会保留它，可在“文件 &gt; 恢复未保存的工作”中恢复。</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <source>Unsaved work was kept when convviz last stopped ({what}): File &gt; Recover Unsaved Work restores it.</source>
        <translation>convviz 上次停止时保留了未保存的工作（{what}）：用“文件 &gt; 恢复未保存的工作”即可恢复。</translation>
    </message>
    <message>
        <source>There is no unsaved work to recover.</source>
        <translation>没有可恢复的未保存工作。</translation>
    </message>
    <message>
        <source>The unsaved work cannot be restored</source>
        <translation>无法恢复未保存的工作</translation>
    </message>
    <message>
        <source>Restored unsaved work: {what}</source>
        <translation>已恢复未保存的工作：{what}</translation>
    </message>
    <message>
        <source>Settings: {key} = {value} is not usable; using {default}</source>
        <translation>设置：{key} = {value} 不可用，改用 {default}</translation>
    </message>
    <message>
        <source>Settings: {key} = {value} is not a file path; ignored</source>
        <translation>设置：{key} = {value} 不是文件路径，已忽略</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <source>Where torch computes the maps; CUDA appears when a GPU is available</source>
        <translation>torch 在哪里计算特征图；有 GPU 时会出现 CUDA</translation>
    </message>
    <message>
        <source>Threads torch uses on the CPU; one fewer than the cores keeps the window smooth</source>
        <translation>torch 在 CPU 上使用的线程数；比核心数少一个可让窗口更流畅</translation>
    </message>
    <message>
        <source>Compute device</source>
        <translation>计算设备</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Output shape</source>
        <translation>输出形状</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MACs</translation>
    </message>
    <message>
        <source>Receptive field</source>
        <translation>感受野</translation>
    </message>
    <message>
        <source>Formula (output size)</source>
        <translation>公式（输出尺寸）</translation>
    </message>
    <message>
        <source>Copy as Markdown</source>
        <translation>复制为 Markdown</translation>
    </message>
    <message>
        <source>Copy as CSV</source>
        <translation>复制为 CSV</translation>
    </message>
    <message>
        <source>Theoretical receptive field: its size on the input, the jump (effective stride) and the input coordinate of output (0, 0)'s top-left corner</source>
        <translation>理论感受野：它在输入上的尺寸、跳距（等效步长），以及输出 (0, 0) 的感受野左上角在输入中的坐标</translation>
    </message>
    <message>
        <source>{p} parameters · {m} MACs · {f} FLOPs · {a} of activations</source>
        <translation>{p} 个参数 · {m} MACs · {f} FLOPs · 激活占用 {a}</translation>
    </message>
    <message>
        <source>The output channel (kernel) to follow</source>
        <translation>要跟踪的输出通道（卷积核）</translation>
    </message>
    <message>
        <source>True convolution (flip the kernel)</source>
        <translation>真正的卷积（翻转卷积核）</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <source>Output channel</source>
        <translation>输出通道</translation>
    </message>
    <message>
        <source>First position (Home)</source>
        <translation>第一个位置（Home）</translation>
    </message>
    <message>
        <source>Step back (Left)</source>
        <translation>后退一步（←）</translation>
    </message>
    <message>
        <source>Play / pause (Space)</source>
        <translation>播放 / 暂停（空格）</translation>
    </message>
    <message>
        <source>Step forward (Right)</source>
        <translation>前进一步（→）</translation>
    </message>
    <message>
        <source>Last position (End)</source>
        <translation>最后一个位置（End）</translation>
    </message>
    <message>
        <source>Scrub through every output position</source>
        <translation>拖动浏览每一个输出位置</translation>
    </message>
    <message>
        <source>Playback speed, 1 to 60 steps per second</source>
        <translation>播放速度，每秒 1 到 60 步</translation>
    </message>
    <message>
        <source>The GIF cannot be written to {path}: {reason}</source>
        <translation>无法把 GIF 写入 {path}：{reason}</translation>
    </message>
    <message>
        <source>Wrote {n} frames to {file}.</source>
        <translation>已把 {n} 帧写入 {file}。</translation>
    </message>
    <message>
        <source>{n} MB</source>
        <translation>{n} MB</translation>
    </message>
    <message>
        <source>{n} KB</source>
        <translation>{n} KB</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <source>Export GIF</source>
        <translation>导出 GIF</translation>
    </message>
    <message>
        <source>{p}% · {w} × {h} px</source>
        <translation>{p}% · {w} × {h} 像素</translation>
    </message>
    <message>
        <source>{s} steps per second, the stepper's speed.</source>
        <translation>每秒 {s} 步，即步进器的速度。</translation>
    </message>
    <message>
        <source>GIF viewers show at most 50 frames a second; each frame lasts 20 ms.</source>
        <translation>GIF 查看器每秒最多显示 50 帧；每帧持续 20 ms。</translation>
    </message>
    <message>
        <source>Every step of the range is written, in the background: the window stays usable, and Cancel stops and deletes the unfinished file.</source>
        <translation>范围内的每一步都会在后台写入：窗口仍可使用，“取消”会停止并删除未完成的文件。</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>(steps 0 to {last})</source>
        <translation>（第 0 步到第 {last} 步）</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>帧</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>{n} frames, every step from {a} to {b}</source>
        <translation>{n} 帧，从第 {a} 步到第 {b} 步的每一步</translation>
    </message>
    <message>
        <source>Estimating the file's size…</source>
        <translation>正在估算文件大小…</translation>
    </message>
    <message>
        <source>about {size}; about {time} to write</source>
        <translation>约 {size}；写入约需 {time}</translation>
    </message>
    <message>
        <source>That is a large file: fewer steps or a smaller size make it smaller.</source>
        <translation>这是一个大文件：减少步数或缩小尺寸可以让它变小。</translation>
    </message>
    <message>
        <source>Add a Conv2d, ConvTranspose2d, DepthwiseSeparable or pooling layer to step through its sliding window.</source>
        <translation>添加 Conv2d、ConvTranspose2d、DepthwiseSeparable 或池化层，即可逐步查看它的滑动窗口。</translation>
    </message>
    <message>
        <source>{n}/s</source>
        <translation>{n}/秒</translation>
    </message>
    <message>
        <source>input (zero-inserted, padded)</source>
        <translation>输入（插零并填充后）</translation>
    </message>
    <message>
        <source>input, padded</source>
        <translation>输入（填充后）</translation>
    </message>
    <message>
        <source>products</source>
        <translation>乘积</translation>
    </message>
    <message>
        <source>output ({y}, {x})</source>
        <translation>输出 ({y}, {x})</translation>
    </message>
    <message>
        <source>output · channel {c}</source>
        <translation>输出 · 通道 {c}</translation>
    </message>
    <message>
        <source>kernel rotated 180°</source>
        <translation>旋转 180° 的卷积核</translation>
    </message>
    <message>
        <source>ch</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>bias</source>
        <translation>偏置</translation>
    </message>
    <message>
        <source>… and {n} more input channels, Σ = {s}</source>
        <translation>……另有 {n} 个输入通道，Σ = {s}</translation>
    </message>
    <message>
        <source>sum</source>
        <translation>和</translation>
    </message>
    <message>
        <source>… {n} more channels: {s}</source>
        <translation>……另有 {n} 个通道：{s}</translation>
    </message>
    <message>
        <source>The layer whose sliding window to follow (as selected in the Layers list)</source>
        <translation>要跟随其滑动窗口的层（与“层”列表中的选择一致）</translation>
    </message>
    <message>
        <source>The first input channel drawn as a row; the others are summed in one line</source>
        <translation>从这个输入通道开始逐行绘制；其余通道合并为一行求和</translation>
    </message>
    <message>
        <source>Input channels from</source>
        <translation>输入通道起始</translation>
    </message>
    <message>
        <source>torch computes cross-correlation; true convolution rotates the kernel by 180° before it slides, which changes the output unless the kernel is symmetric</source>
        <translation>torch 计算的是互相关；真正的卷积先把卷积核旋转 180° 再滑动，除非卷积核对称，否则输出会不同</translation>
    </message>
    <message>
        <source>Smaller cells (Ctrl+-, Ctrl+wheel)</source>
        <translation>缩小格子（Ctrl+-，Ctrl+滚轮）</translation>
    </message>
    <message>
        <source>Larger cells (Ctrl+=, Ctrl+wheel)</source>
        <translation>放大格子（Ctrl+=，Ctrl+滚轮）</translation>
    </message>
    <message>
        <source>Cells as large as the pane allows (Ctrl+0)</source>
        <translation>格子放大到窗格所能容纳的最大尺寸（Ctrl+0）</translation>
    </message>
    <message>
        <source>Equation</source>
        <translation>算式</translation>
    </message>
    <message>
        <source>Show the step as one equation, to read or copy</source>
        <translation>把这一步写成一个算式，便于阅读或复制</translation>
    </message>
    <message>
        <source>Export a range of steps as an animated GIF</source>
        <translation>把一段步骤导出为 GIF 动画</translation>
    </message>
    <message>
        <source>Export the frame shown as a PNG image</source>
        <translation>把当前画面导出为 PNG 图像</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Computing layer {i}…</source>
        <translation>正在计算第 {i} 层…</translation>
    </message>
    <message>
        <source>The computation was stopped; F5 computes layer {i} again.</source>
        <translation>计算已停止；按 F5 重新计算第 {i} 层。</translation>
    </message>
    <message>
        <source>Layer {i} ({type}) has no sliding window; the stepper stays on layer {j}.</source>
        <translation>第 {i} 层（{type}）没有滑动窗口；步进器停留在第 {j} 层。</translation>
    </message>
    <message>
        <source>output ({y}, {x}) · step {t} of {n}</source>
        <translation>输出 ({y}, {x}) · 第 {t} 步，共 {n} 步</translation>
    </message>
    <message>
        <source>{n} row(s) at the bottom</source>
        <translation>底部 {n} 行</translation>
    </message>
    <message>
        <source>{n} column(s) at the right</source>
        <translation>右侧 {n} 列</translation>
    </message>
    <message>
        <source>Shaded dark: {what} of the padded input that no window reaches — the stride does not divide the rest, and the floor division in the output-size formula drops them.</source>
        <translation>涂暗的是填充后输入中没有任何窗口覆盖的{what}——步长不能整除剩余部分，输出尺寸公式中的向下取整把它们丢掉了。</translation>
    </message>
    <message>
        <source> and </source>
        <translation>和</translation>
    </message>
    <message>
        <source>Shaded dark between windows: {r} row(s) and {c} column(s) that no window reads — the stride steps over them (a stride larger than the kernel's span, or dilation gaps the stride skips).</source>
        <translation>窗口之间深色的部分：{r} 行和 {c} 列没有任何窗口读取——步长跨过了它们（步长大于卷积核的跨度，或者步长跳过了空洞留下的间隙）。</translation>
    </message>
    <message>
        <source>Transposed convolution drawn as a direct one: zeros inserted between input pixels (stride − 1 of them), padded by dilation·(k−1) − padding, then slid with the flipped kernel at stride 1.</source>
        <translation>转置卷积按直接卷积来画：在输入像素之间插入零（stride − 1 个），填充 dilation·(k−1) − padding，再用翻转后的卷积核以步长 1 滑动。</translation>
    </message>
    <message>
        <source>Padding cells show the input pixel they copy ({mode} padding).</source>
        <translation>填充格显示它复制的输入像素（{mode} 填充）。</translation>
    </message>
    <message>
        <source>Max pooling keeps the largest value in the window (outlined in orange); padding never wins.</source>
        <translation>最大池化保留窗口中的最大值（橙色框）；填充永远不会胜出。</translation>
    </message>
    <message>
        <source>Average pooling divides the sum by {d}.</source>
        <translation>平均池化把总和除以 {d}。</translation>
    </message>
    <message>
        <source>True convolution: the kernel is rotated by 180° before it slides, so each product is the window value times the rotated kernel's value beside it, and the output is the true convolution — not torch's Conv2d output (cross-correlation), unless the kernel is symmetric.</source>
        <translation>真正的卷积：卷积核先旋转 180° 再滑动，因此每个乘积都是窗口值乘以旁边旋转后卷积核的值，输出是真正的卷积——除非卷积核对称，否则它不是 torch 的 Conv2d 输出（互相关）。</translation>
    </message>
    <message>
        <source>The clicked input pixel feeds {n} output cells (outlined in orange).</source>
        <translation>所点击的输入像素参与了 {n} 个输出格的计算（橙色框）。</translation>
    </message>
    <message>
        <source>Save frame as PNG</source>
        <translation>将当前帧保存为 PNG</translation>
    </message>
    <message>
        <source>Save animation as GIF</source>
        <translation>将动画保存为 GIF</translation>
    </message>
    <message>
        <source>Writing the GIF</source>
        <translation>正在写入 GIF</translation>
    </message>
    <message>
        <source>Why convolution</source>
        <translation>为什么需要卷积</translation>
    </message>
    <message>
        <source>A 3-D kernel over a 3-D input</source>
        <translation>三维卷积核在三维输入上滑动</translation>
    </message>
    <message>
        <source>Set out_channels to 4: four kernels give an output four channels deep.</source>
        <translation>把 out_channels 设为 4：四个卷积核得到深度为四的输出。</translation>
    </message>
    <message>
        <source>torch.nn.Conv2d and the 4x4 example</source>
        <translation>torch.nn.Conv2d 与 4x4 的例子</translation>
    </message>
    <message>
        <source>The output-size formula</source>
        <translation>输出尺寸公式</translation>
    </message>
    <message>
        <source>Predict the output size of three layers: type your answer and press Enter. Three right answers of your own complete the chapter.</source>
        <translation>预测三个层的输出尺寸：输入答案后按回车。自己答对三道题即完成本章。</translation>
    </message>
    <message>
        <source>Click a pixel of layer {l}'s map (the last convolution) and compare its field on the input with the field of layer 0 shown now.</source>
        <translation>点击第 {l} 层（最后一个卷积层）特征图上的一个像素，把它在输入上的感受野与现在显示的第 0 层的感受野比较一下。</translation>
    </message>
    <message>
        <source>Padding</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>Predict which model still finds the horse away from where it learnt, then train both and move the horse: the convolution's map follows it.</source>
        <translation>先预测哪个模型在马离开训练位置后仍能认出它，再训练两个模型并移动马：卷积的特征图会跟着马移动。</translation>
    </message>
    <message>
        <source>Predict the lesson's printed numbers, then type a 2×2 kernel that reproduces its whole map.</source>
        <translation>预测课程打印出的数，再输入一个能复现整张特征图的 2×2 卷积核。</translation>
    </message>
    <message>
        <source>Switch padding_mode to 'reflect' and watch the padding cells copy real pixels.</source>
        <translation>把 padding_mode 改为 'reflect'，观察填充格复制真实像素。</translation>
    </message>
    <message>
        <source>Stride, and what the floor division drops</source>
        <translation>步长，以及向下取整丢掉的行列</translation>
    </message>
    <message>
        <source>Predict the output size with stride 3, then set stride to 3 and check the shapes table.</source>
        <translation>先预测步长为 3 时的输出尺寸，再把 stride 设为 3 并核对形状表。</translation>
    </message>
    <message>
        <source>The receptive field</source>
        <translation>感受野</translation>
    </message>
    <message>
        <source>Dilated convolution</source>
        <translation>空洞卷积</translation>
    </message>
    <message>
        <source>Set layer 4's dilation to 1: the same nine weights per channel, a smaller field.</source>
        <translation>把第 4 层的 dilation 设为 1：每个通道同样九个权重，感受野变小。</translation>
    </message>
    <message>
        <source>Depthwise-separable convolution</source>
        <translation>深度可分离卷积</translation>
    </message>
    <message>
        <source>Predict the separable block's cost as a fraction of the standard convolution's in the question below and press Enter; then read the Cost tab and measure the time.</source>
        <translation>在下面的问题中预测可分离模块的代价是标准卷积的几分之几，按回车提交；然后查看“代价”标签页，并实测耗时。</translation>
    </message>
    <message>
        <source>Beyond the lesson: pooling, transposed convolution, TextCNN</source>
        <translation>课程之外：池化、转置卷积、TextCNN</translation>
    </message>
    <message>
        <source>Step the TextCNN kernel: it spans the whole embedding and slides along the words only.</source>
        <translation>逐步移动 TextCNN 的卷积核：它覆盖整个词向量，只沿着词滑动。</translation>
    </message>
    <message>
        <source>Design challenges</source>
        <translation>设计挑战</translation>
    </message>
    <message>
        <source>Edit the stack until every condition of a challenge is ticked: a challenge you solve yourself counts; a solution Show me loads does not.</source>
        <translation>编辑网络，直到某个挑战的每个条件都打上勾：你自己完成的挑战计分，“演示给我看”载入的解不计分。</translation>
    </message>
    <message>
        <source>Predict: the lesson's input is 1, 2, … 16, four to a row. What did the lesson print below {v}, the first number of the second row?</source>
        <translation>预测：课程的输入是 1, 2, … 16，每行四个数。在 {v} 的下方，也就是第二行的第一个数，课程打印的是多少？</translation>
    </message>
    <message>
        <source>Type your answer and press Enter</source>
        <translation>输入答案后按回车</translation>
    </message>
    <message>
        <source>Why do the printed numbers grow by the same amount at every step along a row, and by another constant amount down a column?</source>
        <translation>为什么打印出的数沿一行每走一步都增加同样的量，沿一列向下又每步增加另一个固定的量？</translation>
    </message>
    <message>
        <source>The bias grows from one position to the next.</source>
        <translation>偏置随位置逐渐增大。</translation>
    </message>
    <message>
        <source>The bias is one number added to every output of the kernel: it moves the whole map up or down, it cannot make a step.</source>
        <translation>偏置是加到这个卷积核每个输出上的同一个数：它只能把整张特征图整体抬高或降低，产生不了逐步的差值。</translation>
    </message>
    <message>
        <source>The input is a ramp and the same weights are used everywhere: a step right adds 1 to every pixel under the kernel, a row down adds 4, so the output grows by 1× and 4× the sum of the weights.</source>
        <translation>输入是一个线性递增的“斜坡”，而且每个位置都用同一组权重：向右一步，卷积核覆盖的每个像素都加 1；向下一行，每个像素都加 4；所以输出分别增加权重之和的 1 倍和 4 倍。</translation>
    </message>
    <message>
        <source>The lesson's kernel happened to be chosen to count up.</source>
        <translation>课程里的卷积核恰好被选成了递增的。</translation>
    </message>
    <message>
        <source>The weights were random. Any kernel gives a ramp on this input: try your own below.</source>
        <translation>权重是随机的。在这个输入上，任何卷积核都会得到一个斜坡：在下面试试你自己的卷积核。</translation>
    </message>
    <message>
        <source>torch rounds the outputs to a grid.</source>
        <translation>torch 把输出舍入到了等间距的网格上。</translation>
    </message>
    <message>
        <source>torch computes in float32 and the lesson printed four decimals: rounding changes the last digit, not the step.</source>
        <translation>torch 用 float32 计算，课程打印了四位小数：舍入只影响最后一位，不会产生固定的差值。</translation>
    </message>
    <message>
        <source>Type a 2×2 kernel (bias 0) that reproduces the whole printed map, then press Try: the engine computes its map and compares every cell.</source>
        <translation>输入一个能复现整张打印结果的 2×2 卷积核（偏置为 0），然后按“试试这组权重”：计算引擎会算出它的特征图，并逐格比较。</translation>
    </message>
    <message>
        <source>Weight w[{i}][{j}]</source>
        <translation>权重 w[{i}][{j}]</translation>
    </message>
    <message>
        <source>Try these weights</source>
        <translation>试试这组权重</translation>
    </message>
    <message>
        <source>Predict: the stepper's switch “True convolution (flip the kernel)” rotates the kernel by 180°, as the mathematical convolution does (torch computes cross-correlation). What happens to the step along a row?</source>
        <translation>预测：步进器上的开关“真正的卷积（翻转卷积核）”像数学中的卷积那样把卷积核旋转 180°（torch 计算的是互相关）。沿一行的步长差会怎样变化？</translation>
    </message>
    <message>
        <source>It changes sign: the map runs downhill.</source>
        <translation>差值变号：特征图变成递减的。</translation>
    </message>
    <message>
        <source>Rotating moves each weight to another place; no weight changes sign.</source>
        <translation>旋转只是把每个权重挪到另一个位置，没有哪个权重改变符号。</translation>
    </message>
    <message>
        <source>It stays the same: the step is the sum of the weights, and rotating does not change the sum; only the top-left value changes.</source>
        <translation>保持不变：差值等于权重之和，旋转不改变这个和；只有左上角的值会变。</translation>
    </message>
    <message>
        <source>The map becomes constant.</source>
        <translation>特征图变成常数。</translation>
    </message>
    <message>
        <source>The input is still a ramp and the kernel still has the same weights, so the map is still a ramp.</source>
        <translation>输入仍然是斜坡，卷积核的权重也还是那几个，所以特征图仍然是斜坡。</translation>
    </message>
    <message>
        <source>Flip the kernel in the stepper</source>
        <translation>在步进器中翻转卷积核</translation>
    </message>
    <message>
        <source>This needs the lesson's layer: open the chapter again.</source>
        <translation>这需要课程中的那一层：请重新打开本章。</translation>
    </message>
    <message>
        <source>The lesson's first map comes from one 2×2 kernel, stride 1, no padding: set the layer back (out_channels = 1, kernel_size = 2) to compare.</source>
        <translation>课程的第一张特征图来自一个 2×2 卷积核、步长 1、无填充：请把这一层改回去（out_channels = 1，kernel_size = 2）再比较。</translation>
    </message>
    <message>
        <source>Computing its map…</source>
        <translation>正在计算它的特征图……</translation>
    </message>
    <message>
        <source>All nine cells match the printed map (its first row: {c}). So do infinitely many other kernels: the ramp fixes only the sum of the weights ({s}) and the top-left value ({t}).</source>
        <translation>九个格子都与打印结果一致（第一行：{c}）。还有无穷多个卷积核也能做到：斜坡输入只确定了权重之和（{s}）和左上角的值（{t}）。</translation>
    </message>
    <message>
        <source>One kernel that does it (shown, not counted): </source>
        <translation>一个能做到的卷积核（演示，不计分）：</translation>
    </message>
    <message>
        <source>{n} of 9 cells match. Your weights add up to {s}, but the printed map grows by {r} at each step along a row: on this input that step is the sum of the weights.</source>
        <translation>9 个格子中有 {n} 个一致。你的权重之和是 {s}，但打印结果沿一行每步增加 {r}：在这个输入上，这个差值就是权重之和。</translation>
    </message>
    <message>
        <source>{n} of 9 cells match. The steps are right (the weights add up to {s}), but the top-left cell is {v}, not {p}: it is 1·w00 + 2·w01 + 5·w10 + 6·w11.</source>
        <translation>9 个格子中有 {n} 个一致。差值是对的（权重之和为 {s}），但左上角是 {v}，而不是 {p}：它等于 1·w00 + 2·w01 + 5·w10 + 6·w11。</translation>
    </message>
    <message>
        <source>Tick “True convolution (flip the kernel)” above the stepper.</source>
        <translation>请勾选步进器上方的“真正的卷积（翻转卷积核）”。</translation>
    </message>
    <message>
        <source>Cross-correlation (torch): top-left {a}, step along a row {ra}. True convolution (flipped): top-left {b}, step {rb}.</source>
        <translation>互相关（torch）：左上角 {a}，沿一行的差值 {ra}。真正的卷积（翻转后）：左上角 {b}，差值 {rb}。</translation>
    </message>
    <message>
        <source>The lesson ran nn.Conv2d(1, 1, 2) on this input, with random weights, and printed:</source>
        <translation>课程用随机权重在这个输入上运行 nn.Conv2d(1, 1, 2)，打印出：</translation>
    </message>
    <message>
        <source>{t} + 4 × {r} = {v}: a row down adds 4 to every pixel under the kernel.</source>
        <translation>{t} + 4 × {r} = {v}：向下一行，卷积核覆盖的每个像素都大 4。</translation>
    </message>
    <message>
        <source>Right: the lesson printed {v}.</source>
        <translation>答对了：课程打印的是 {v}。</translation>
    </message>
    <message>
        <source>That is one step to the right. One row down moves the window by a whole row of the input, and each pixel there is 4 larger (the row is 4 wide).</source>
        <translation>这是向右走一步的结果。向下一行，窗口在输入上移动了整整一行，那里的每个像素都大 4（每行 4 个数）。</translation>
    </message>
    <message>
        <source>You moved by the kernel's size (2). One row down moves the window by one row, and each pixel of the input there is 4 larger, the width of the input.</source>
        <translation>你按卷积核的尺寸（2）移动了。向下一行，窗口只移动一行，而那里输入的每个像素都大 4，即输入的宽度。</translation>
    </message>
    <message>
        <source>Compare the two rows of the input under the kernel: each pixel is 4 larger.</source>
        <translation>比较卷积核下方输入的上下两行：每个像素都大 4。</translation>
    </message>
    <message>
        <source>The lesson printed {v}; you said {a}.</source>
        <translation>课程打印的是 {v}；你的回答是 {a}。</translation>
    </message>
    <message>
        <source>The lesson printed {v} (shown, not counted).</source>
        <translation>课程打印的是 {v}（演示，不计分）。</translation>
    </message>
    <message>
        <source>Right.</source>
        <translation>答对了。</translation>
    </message>
    <message>
        <source>The answer: {a}</source>
        <translation>答案：{a}</translation>
    </message>
    <message>
        <source>The answer (shown, not counted): {a}</source>
        <translation>答案（演示，不计分）：{a}</translation>
    </message>
    <message>
        <source>The lesson's run with two kernels printed two more ramps: steps {a} and {b} along a row, {c} and {d} down a column (4× as much).</source>
        <translation>课程用两个卷积核运行时又打印了两个斜坡：沿一行的差值分别是 {a} 和 {b}，沿一列向下是 {c} 和 {d}（都是 4 倍）。</translation>
    </message>
    <message>
        <source>Your own answers: {c} of {a} right</source>
        <translation>你自己的回答：{a} 题中答对 {c} 题</translation>
    </message>
    <message>
        <source>{s} shown (not counted)</source>
        <translation>演示了 {s} 次（不计分）</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Another question</source>
        <translation>换一道题</translation>
    </message>
    <message>
        <source>Predict, then check</source>
        <translation>先预测，再核对</translation>
    </message>
    <message>
        <source>your answer</source>
        <translation>你的答案</translation>
    </message>
    <message>
        <source>Show answer</source>
        <translation>显示答案</translation>
    </message>
    <message>
        <source>Type a number, such as 12, 0.25, 25% or 1/4.</source>
        <translation>请输入一个数，例如 12、0.25、25% 或 1/4。</translation>
    </message>
    <message>
        <source>Not quite: you said {a}.</source>
        <translation>不对：你的答案是 {a}。</translation>
    </message>
    <message>
        <source>The answer:</source>
        <translation>答案：</translation>
    </message>
    <message>
        <source>The answer (shown, not counted):</source>
        <translation>答案（已揭晓，不计分）：</translation>
    </message>
    <message>
        <source>Right!</source>
        <translation>正确！</translation>
    </message>
    <message>
        <source>{c} of {a} right</source>
        <translation>答对 {c} 题，共 {a} 题</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>◀ Back</source>
        <translation>◀ 上一章</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一章 ▶</translation>
    </message>
    <message>
        <source>Show me</source>
        <translation>演示给我看</translation>
    </message>
    <message>
        <source>Reveal the answer (it does not count as yours)</source>
        <translation>揭晓答案（不算作你的回答）</translation>
    </message>
    <message>
        <source>Do the task for me</source>
        <translation>替我完成这个任务</translation>
    </message>
    <message>
        <source>Your own answers: {list}</source>
        <translation>你自己的答案：{list}</translation>
    </message>
    <message>
        <source>Your own answers by concept appear here (Show me never counts).</source>
        <translation>你自己的答案会按概念显示在这里（“演示给我看”从不计分）。</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Not done yet</source>
        <translation>尚未完成</translation>
    </message>
    <message>
        <source>Chapter {i} of {n}</source>
        <translation>第 {i} 章，共 {n} 章</translation>
    </message>
    <message>
        <source>Done!</source>
        <translation>完成！</translation>
    </message>
    <message>
        <source>Try it:</source>
        <translation>动手试试：</translation>
    </message>
    <message>
        <source>{p} could not be opened</source>
        <translation>无法打开 {p}</translation>
    </message>
    <message>
        <source>it is not a regular file</source>
        <translation>它不是普通文件</translation>
    </message>
    <message>
        <source>The last project {p} no longer exists; starting with the teaching preset</source>
        <translation>上次的项目 {p} 已不存在，改为打开教学预设</translation>
    </message>
    <message>
        <source>The last project {p} was not opened ({why}); starting with the teaching preset</source>
        <translation>上次的项目 {p} 未能打开（{why}），改为打开教学预设</translation>
    </message>
    <message>
        <source>The title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>The image path</source>
        <translation>图像路径</translation>
    </message>
    <message>
        <source>The computation ran out of memory.</source>
        <translation>计算时内存不足。</translation>
    </message>
    <message>
        <source>The computation failed: {e}</source>
        <translation>计算失败：{e}</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the running computation; F5 computes again</source>
        <translation>停止正在进行的计算；按 F5 重新计算</translation>
    </message>
    <message>
        <source>This stack takes about {s} s to compute ({left} s left)</source>
        <translation>计算这个网络大约需要 {s} 秒（还剩 {left} 秒）</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>accuracy (%)</source>
        <translation>准确率（%）</translation>
    </message>
    <message>
        <source>examples seen</source>
        <translation>已见样本数</translation>
    </message>
    <message>
        <source>test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Log-scale loss</source>
        <translation>损失用对数刻度</translation>
    </message>
    <message>
        <source>Show the loss on a logarithmic axis</source>
        <translation>用对数坐标轴显示损失</translation>
    </message>
    <message>
        <source>PNG…</source>
        <translation>PNG…</translation>
    </message>
    <message>
        <source>Save the curves as a picture</source>
        <translation>将曲线保存为图片</translation>
    </message>
    <message>
        <source>CSV…</source>
        <translation>CSV…</translation>
    </message>
    <message>
        <source>Save the curves' points as CSV</source>
        <translation>将曲线的数据点保存为 CSV</translation>
    </message>
    <message>
        <source>{n:,} examples</source>
        <translation>{n:,} 个样本</translation>
    </message>
    <message>
        <source>Save curves as PNG</source>
        <translation>将曲线保存为 PNG</translation>
    </message>
    <message>
        <source>Save curves as CSV</source>
        <translation>将曲线保存为 CSV</translation>
    </message>
    <message>
        <source>Change since start</source>
        <translation>相对初始的变化</translation>
    </message>
    <message>
        <source>Show each weight minus its initial value</source>
        <translation>显示每个权重减去其初始值</translation>
    </message>
    <message>
        <source>Scale each layer</source>
        <translation>每层单独配色</translation>
    </message>
    <message>
        <source>Colours run to each layer's own largest weight (off: one scale for all layers)</source>
        <translation>颜色按每层自己的最大权重展开（关闭：所有层共用一个色标）</translation>
    </message>
    <message>
        <source>Gradients</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Each layer's mean |gradient|: of its weights in the last training batch, and of the watched example's loss at the layer's output</source>
        <translation>每一层梯度绝对值的平均：它的权重在最近一个训练批次中的梯度，以及被观察样本的损失在该层输出处的梯度</translation>
    </message>
    <message>
        <source>No convolution weights yet</source>
        <translation>还没有卷积权重</translation>
    </message>
    <message>
        <source>mean |gradient|</source>
        <translation>梯度绝对值的平均</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>weights (last batch)</source>
        <translation>权重（最近一批）</translation>
    </message>
    <message>
        <source>layer outputs (watched example)</source>
        <translation>层输出（被观察的样本）</translation>
    </message>
    <message>
        <source>change since start</source>
        <translation>相对初始的变化</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>initial</source>
        <translation>初始</translation>
    </message>
    <message>
        <source>step {n}</source>
        <translation>第 {n} 步</translation>
    </message>
    <message>
        <source>trained</source>
        <translation>训练后</translation>
    </message>
    <message>
        <source>{what} · {step} · colours per layer ({s}; blue below 0, red above)</source>
        <translation>{what} · {step} · 每层单独配色（{s}；蓝色小于 0，红色大于 0）</translation>
    </message>
    <message>
        <source>{what} · {step} · colour scale ±{v:.3g} (blue below 0, red above)</source>
        <translation>{what} · {step} · 色标 ±{v:.3g}（蓝色小于 0，红色大于 0）</translation>
    </message>
    <message>
        <source>the first 64 kernels and input channels of each layer</source>
        <translation>每层前 64 个卷积核和输入通道</translation>
    </message>
    <message>
        <source>layer {l} · kernel {k} · input channel {i} · click to open it in the stepper</source>
        <translation>第 {l} 层 · 卷积核 {k} · 输入通道 {i} · 点击在步进器中打开</translation>
    </message>
    <message>
        <source>Export kernels as PNG</source>
        <translation>将卷积核导出为 PNG</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Could not write {p}: choose another folder.</source>
        <translation>无法写入 {p}：请选择其他文件夹。</translation>
    </message>
    <message>
        <source>Watched example: no prediction yet</source>
        <translation>观察的样本：尚无预测</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Test examples: predicted class (true class when wrong); click one to watch it</source>
        <translation>测试样本：预测类别（答错时附真实类别）；点击一个即观察它</translation>
    </message>
    <message>
        <source>true class</source>
        <translation>真实类别</translation>
    </message>
    <message>
        <source>predicted class</source>
        <translation>预测类别</translation>
    </message>
    <message>
        <source>Start training to see predictions on the test set</source>
        <translation>开始训练后即可看到测试集上的预测</translation>
    </message>
    <message>
        <source>Test examples</source>
        <translation>测试样本</translation>
    </message>
    <message>
        <source>Confusion matrix</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <source>the image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>saliency</source>
        <translation>显著性</translation>
    </message>
    <message>
        <source>Grad-CAM</source>
        <translation>Grad-CAM</translation>
    </message>
    <message>
        <source>Saliency: how strongly each input pixel moves the predicted class's score (|gradient|, brightest = most)</source>
        <translation>显著性：每个输入像素对预测类别得分的影响有多大（梯度的绝对值，越亮影响越大）</translation>
    </message>
    <message>
        <source>Grad-CAM: where the last convolution's maps speak for the predicted class (brightest = most)</source>
        <translation>Grad-CAM（梯度加权类激活图）：最后一个卷积层的特征图在哪里支持预测的类别（越亮越支持）</translation>
    </message>
    <message>
        <source>Saliency</source>
        <translation>显著性</translation>
    </message>
    <message>
        <source>drawn image</source>
        <translation>手绘图像</translation>
    </message>
    <message>
        <source>test example {i}</source>
        <translation>测试样本 {i}</translation>
    </message>
    <message>
        <source>{who}: predicted {p} ({v:.0%})</source>
        <translation>{who}：预测 {p}（{v:.0%}）</translation>
    </message>
    <message>
        <source>true class {t}</source>
        <translation>真实类别 {t}</translation>
    </message>
    <message>
        <source>Step {s}: {c} of {n} test examples right ({a:.1%})</source>
        <translation>第 {s} 步：{n} 个测试样本中答对 {c} 个（{a:.1%}）</translation>
    </message>
    <message>
        <source>test example {i}: predicted {p} ({v:.0%}), true {t}</source>
        <translation>测试样本 {i}：预测 {p}（{v:.0%}），真实 {t}</translation>
    </message>
    <message>
        <source>{who}, step {n}: the pixels that most move the score of {p} (|gradient|, largest {v:.3g})</source>
        <translation>{who}，第 {n} 步：对 {p} 的得分影响最大的像素（梯度的绝对值，最大 {v:.3g}）</translation>
    </message>
    <message>
        <source>Grad-CAM needs a convolution whose output is a map: the stack has none</source>
        <translation>Grad-CAM 需要一个输出为特征图的卷积层：这个网络没有</translation>
    </message>
    <message>
        <source>{who}, step {n}: Grad-CAM of layer {l} for {p} over the image (largest {v:.3g})</source>
        <translation>{who}，第 {n} 步：第 {l} 层对 {p} 的 Grad-CAM，叠加在图像上（最大 {v:.3g}）</translation>
    </message>
    <message>
        <source>{who}, step {n}: Grad-CAM of layer {l} for {p} is zero everywhere (no map of it speaks for the class yet)</source>
        <translation>{who}，第 {n} 步：第 {l} 层对 {p} 的 Grad-CAM 处处为零（还没有哪张特征图支持这个类别）</translation>
    </message>
    <message>
        <source>true {t}, predicted {p}: {n} test examples</source>
        <translation>真实 {t}，预测 {p}：{n} 个测试样本</translation>
    </message>
    <message>
        <source>The stack is empty: add layers that end in one output per class.</source>
        <translation>网络是空的：请添加以每个类别一个输出结束的层。</translation>
    </message>
    <message>
        <source>Layer {i} ({t}) is invalid: fix it before training.</source>
        <translation>第 {i} 层（{t}）无效：训练前请先修正。</translation>
    </message>
    <message>
        <source>The stack ends in a {shape} output, but {data} has {k} classes: a classifier ends in {k} numbers, one per class. Add Flatten and Linear({k}) at the end.</source>
        <translation>网络以 {shape} 的输出结束，但 {data} 有 {k} 个类别：分类器应以 {k} 个数结束，每个类别一个。请在末尾添加 Flatten 和 Linear({k})。</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>IDX file…</source>
        <translation>IDX 文件…</translation>
    </message>
    <message>
        <source>The examples to learn from: a bundled data set, a folder with one subfolder per class, or MNIST-format IDX files</source>
        <translation>用来学习的样本：内置数据集、每个类别一个子文件夹的文件夹，或 MNIST 格式的 IDX 文件</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>How many examples to use (train and test together); 'all': the data set's own</source>
        <translation>使用多少个样本（训练和测试合计）；“全部”：数据集自身的数量</translation>
    </message>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>SGD with momentum</source>
        <translation>带动量的 SGD</translation>
    </message>
    <message>
        <source>Learning rate, on a logarithmic scale from 0.00001 to 10</source>
        <translation>学习率，对数刻度，从 0.00001 到 10</translation>
    </message>
    <message>
        <source>Draws the train/test split, the order of examples and dropout</source>
        <translation>决定训练/测试划分、样本顺序和 dropout</translation>
    </message>
    <message>
        <source>examples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Train, slice after slice (Space)</source>
        <translation>一段接一段地训练（空格键）</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Train one batch</source>
        <translation>训练一个批次</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Back to the weights training started from, step 0</source>
        <translation>回到训练开始时的权重，第 0 步</translation>
    </message>
    <message>
        <source>Show trained weights</source>
        <translation>显示训练后的权重</translation>
    </message>
    <message>
        <source>Draw the maps with the trained weights (on) or the initial, random ones (off)</source>
        <translation>用训练后的权重（勾选）或初始的随机权重（不勾选）绘制特征图</translation>
    </message>
    <message>
        <source>&amp;Trained Weights</source>
        <translation>训练后的权重(&amp;T)</translation>
    </message>
    <message>
        <source>Show the maps with the trained weights; off: the initial, random ones</source>
        <translation>用训练后的权重显示特征图；关闭：初始的随机权重</translation>
    </message>
    <message>
        <source>Train or pause</source>
        <translation>训练或暂停</translation>
    </message>
    <message>
        <source>Training stopped when the language changed: press Play to go on.</source>
        <translation>切换语言时训练已停止：按“播放”继续。</translation>
    </message>
    <message>
        <source>Folder: {p}</source>
        <translation>文件夹：{p}</translation>
    </message>
    <message>
        <source>IDX: {p}</source>
        <translation>IDX：{p}</translation>
    </message>
    <message>
        <source>A folder with one subfolder per class</source>
        <translation>每个类别一个子文件夹的文件夹</translation>
    </message>
    <message>
        <source>MNIST-format images (IDX)</source>
        <translation>MNIST 格式的图像（IDX）</translation>
    </message>
    <message>
        <source>IDX files (*idx* *.gz);;All files (*)</source>
        <translation>IDX 文件 (*idx* *.gz);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Append {layers}</source>
        <translation>添加 {layers}</translation>
    </message>
    <message>
        <source>Append a classifier head</source>
        <translation>添加分类头</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>test example #{i} of {data}</source>
        <translation>{data} 的测试样本 #{i}</translation>
    </message>
    <message>
        <source>Training stopped: {s}</source>
        <translation>训练已停止：{s}</translation>
    </message>
    <message>
        <source>Not trained yet: press Play or Step.</source>
        <translation>尚未训练：按“播放”或“单步”。</translation>
    </message>
    <message>
        <source>Examples seen {n:,} · epoch {e} of {E} · step {st:,}
{r:,.0f} examples/s · elapsed {t:.1f} s
train loss {tl} · accuracy {ta}
test loss {vl} · accuracy {va}</source>
        <translation>已见样本 {n:,} · 第 {e}/{E} 轮 · 第 {st:,} 步
每秒 {r:,.0f} 个样本 · 用时 {t:.1f} 秒
训练损失 {tl} · 准确率 {ta}
测试损失 {vl} · 准确率 {va}</translation>
    </message>
    <message>
        <source> (and {n} more: those layers keep their initial weights)</source>
        <translation>（另有 {n} 处：这些层保持初始权重）</translation>
    </message>
    <message>
        <source>Use the drawing as the input</source>
        <translation>用这幅画作为输入</translation>
    </message>
    <message>
        <source>Every layer's maps show the drawing; untick to go back to the project's input</source>
        <translation>每一层的特征图都显示这幅画；取消勾选即回到项目的输入</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Pen</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Draw on the pad: every layer answers</source>
        <translation>在画板上作画：每一层都会作出响应</translation>
    </message>
    <message>
        <source>class name</source>
        <translation>类别名</translation>
    </message>
    <message>
        <source>Add to data set…</source>
        <translation>加入数据集……</translation>
    </message>
    <message>
        <source>Save the drawing as a PNG in FOLDER/CLASS/ (an image-folder data set)</source>
        <translation>将这幅画保存为 PNG，放入 文件夹/类别/（图像文件夹数据集）</translation>
    </message>
    <message>
        <source>The last layer is not a vector of class scores: no probabilities</source>
        <translation>最后一层不是类别得分向量：没有概率</translation>
    </message>
    <message>
        <source>This network says: {top}</source>
        <translation>网络的回答：{top}</translation>
    </message>
    <message>
        <source>your drawing</source>
        <translation>你的手绘</translation>
    </message>
    <message>
        <source>Not saved: {why}</source>
        <translation>未保存：{why}</translation>
    </message>
    <message>
        <source>Image-folder data set</source>
        <translation>图像文件夹数据集</translation>
    </message>
    <message>
        <source>No answer yet</source>
        <translation>还没有结果</translation>
    </message>
    <message>
        <source>The stack does not end in class scores: a classifier ends in one number per class (Flatten, then Linear).</source>
        <translation>此堆叠的输出不是类别分数：分类器的最后输出每个类别一个数（先 Flatten，再 Linear）。</translation>
    </message>
    <message>
        <source>Computing the answer for the new input or weights…</source>
        <translation>正在为新的输入或权重计算结果…</translation>
    </message>
    <message>
        <source>No answer: the last layer was not computed.</source>
        <translation>没有结果：最后一层没有计算。</translation>
    </message>
    <message>
        <source>No answer: the class scores are not all finite numbers.</source>
        <translation>没有结果：类别分数并非都是有限的数。</translation>
    </message>
    <message>
        <source>The {k} class scores, as probabilities (softmax): the five largest</source>
        <translation>{k} 个类别分数化为概率（softmax）后最大的五个</translation>
    </message>
    <message>
        <source>Initial random weights (seed {s}): not a trained network, so these classes mean nothing.</source>
        <translation>随机初始权重（种子 {s}）：这不是训练过的网络，这些类别没有意义。</translation>
    </message>
    <message>
        <source>Weights loaded from {f}.</source>
        <translation>权重加载自 {f}。</translation>
    </message>
    <message>
        <source>Trained or loaded weights, not the initial ones.</source>
        <translation>训练或加载的权重，不是初始权重。</translation>
    </message>
    <message>
        <source>class {k}</source>
        <translation>类别 {k}</translation>
    </message>
    <message>
        <source>Output depth = number of kernels: K = {k}</source>
        <translation>输出深度 = 卷积核个数：K = {k}</translation>
    </message>
    <message>
        <source>padded to {h}×{w}</source>
        <translation>填充后 {h}×{w}</translation>
    </message>
    <message>
        <source>groups = {g}</source>
        <translation>groups = {g}</translation>
    </message>
    <message>
        <source>input C×H×W</source>
        <translation>输入 C×H×W</translation>
    </message>
    <message>
        <source>kernels: K = {k}</source>
        <translation>卷积核：K = {k}</translation>
    </message>
    <message>
        <source>each C×kh×kw</source>
        <translation>每个 C×kh×kw</translation>
    </message>
    <message>
        <source>{n} drawn</source>
        <translation>画出 {n} 个</translation>
    </message>
    <message>
        <source>one slice per kernel</source>
        <translation>每个卷积核一片</translation>
    </message>
    <message>
        <source>output K×H×W</source>
        <translation>输出 K×H×W</translation>
    </message>
    <message>
        <source>Select a Conv2d or ConvTranspose2d layer to see its kernels in 3-D.</source>
        <translation>选择一个 Conv2d 或 ConvTranspose2d 层，以三维方式查看它的卷积核。</translation>
    </message>
    <message>
        <source>Isometric</source>
        <translation>等轴测</translation>
    </message>
    <message>
        <source>Oblique (front face flat)</source>
        <translation>斜投影（正面不变形）</translation>
    </message>
    <message>
        <source>How the blocks are drawn in 3-D</source>
        <translation>三维块的画法</translation>
    </message>
    <message>
        <source>Projection:</source>
        <translation>投影：</translation>
    </message>
    <message>
        <source>Click a kernel to follow it in the stepper, or an output cell to step there.</source>
        <translation>点击一个卷积核，步进器就跟随它；点击一个输出单元，步进器就走到那一步。</translation>
    </message>
    <message>
        <source>Step the kernel in the Kernel stepper to light its window here.</source>
        <translation>在卷积步进器中移动卷积核，它的窗口就会在这里高亮。</translation>
    </message>
    <message>
        <source>Kernel {o} computes output ({y}, {x}) of slice {o}: it reads rows {r0}–{r1} and columns {c0}–{c1} of the padded input, through input channels {ch}.</source>
        <translation>卷积核 {o} 计算第 {o} 片输出的 ({y}, {x})：它读取填充后输入的第 {r0}–{r1} 行、第 {c0}–{c1} 列，贯穿输入通道 {ch}。</translation>
    </message>
    <message>
        <source>… and {n} more</source>
        <translation>…… 另有 {n} 条</translation>
    </message>
    <message>
        <source>Load &amp;Weights…</source>
        <translation>加载权重(&amp;W)…</translation>
    </message>
    <message>
        <source>Show the maps with weights from a .safetensors, .pt or .pth file (a state_dict)</source>
        <translation>用 .safetensors、.pt 或 .pth 文件（state_dict）中的权重显示特征图</translation>
    </message>
    <message>
        <source>Load &amp;ImageNet Weights…</source>
        <translation>加载 &amp;ImageNet 权重…</translation>
    </message>
    <message>
        <source>Load the official ImageNet weights of the torchvision model this stack is (from torch's cache, or downloaded when you agree)</source>
        <translation>加载此堆叠对应的 torchvision 模型的官方 ImageNet 权重（来自 torch 的缓存，或经你同意后下载）</translation>
    </message>
    <message>
        <source>&amp;torchvision Model…</source>
        <translation>&amp;torchvision 模型…</translation>
    </message>
    <message>
        <source>Import an architecture torchvision defines (VGG, AlexNet, …) as a new project</source>
        <translation>把 torchvision 定义的架构（VGG、AlexNet 等）导入为新项目</translation>
    </message>
    <message>
        <source>Weights (.safetensors)…</source>
        <translation>权重 (.safetensors)…</translation>
    </message>
    <message>
        <source>Save the weights on show (loaded, trained or initial) as a .safetensors file</source>
        <translation>把当前显示的权重（加载的、训练的或初始的）保存为 .safetensors 文件</translation>
    </message>
    <message>
        <source>ONNX Model (.onnx)…</source>
        <translation>ONNX 模型 (.onnx)…</translation>
    </message>
    <message>
        <source>Save the network with the weights on show as ONNX (opens in Netron)</source>
        <translation>把网络连同当前显示的权重保存为 ONNX（可在 Netron 中打开）</translation>
    </message>
    <message>
        <source>Load weights</source>
        <translation>加载权重</translation>
    </message>
    <message>
        <source>Reading weights</source>
        <translation>正在读取权重</translation>
    </message>
    <message>
        <source>The stack changed while the weights were read: load them again.</source>
        <translation>读取权重期间堆叠已改变：请重新加载。</translation>
    </message>
    <message>
        <source>Weights of {n} layers loaded from {f}</source>
        <translation>已从 {f} 加载 {n} 个层的权重</translation>
    </message>
    <message>
        <source>These weights cannot be loaded; nothing was changed</source>
        <translation>无法加载这些权重；没有做任何改动</translation>
    </message>
    <message>
        <source>Looking for the official weights</source>
        <translation>正在查找官方权重</translation>
    </message>
    <message>
        <source>This stack is none of torchvision's architectures with official ImageNet weights (import one with File &gt; Import &gt; torchvision Model, and keep its layers).</source>
        <translation>此堆叠不是任何一个带官方 ImageNet 权重的 torchvision 架构（请用 文件 &gt; 导入 &gt; torchvision 模型 导入一个，并保持它的层不变）。</translation>
    </message>
    <message>
        <source>Nothing was downloaded.</source>
        <translation>没有下载任何内容。</translation>
    </message>
    <message>
        <source>Download the ImageNet weights?</source>
        <translation>下载 ImageNet 权重吗？</translation>
    </message>
    <message>
        <source>The official weights of {n} are not on this computer.</source>
        <translation>这台计算机上没有 {n} 的官方权重。</translation>
    </message>
    <message>
        <source>Download {size} from {url}? They are kept in torch's cache for next time.</source>
        <translation>从 {url} 下载 {size}？下载后保存在 torch 的缓存中，下次直接使用。</translation>
    </message>
    <message>
        <source>an unknown size</source>
        <translation>未知大小</translation>
    </message>
    <message>
        <source>Downloading {f} ({size})…</source>
        <translation>正在下载 {f}（{size}）…</translation>
    </message>
    <message>
        <source>Downloading weights</source>
        <translation>正在下载权重</translation>
    </message>
    <message>
        <source>Downloading {f}</source>
        <translation>正在下载 {f}</translation>
    </message>
    <message>
        <source>Downloading: {d} of {t}</source>
        <translation>正在下载：{d} / {t}</translation>
    </message>
    <message>
        <source>Download cancelled: nothing was kept.</source>
        <translation>下载已取消：未保留任何文件。</translation>
    </message>
    <message>
        <source>Save weights</source>
        <translation>保存权重</translation>
    </message>
    <message>
        <source>The weights could not be saved</source>
        <translation>无法保存权重</translation>
    </message>
    <message>
        <source>Fix the invalid layers first.</source>
        <translation>请先修正无效的层。</translation>
    </message>
    <message>
        <source>Saving weights</source>
        <translation>正在保存权重</translation>
    </message>
    <message>
        <source>Save ONNX model</source>
        <translation>保存 ONNX 模型</translation>
    </message>
    <message>
        <source>The ONNX model could not be saved</source>
        <translation>无法保存 ONNX 模型</translation>
    </message>
    <message>
        <source>Saving the ONNX model</source>
        <translation>正在保存 ONNX 模型</translation>
    </message>
    <message>
        <source>Import a torchvision model</source>
        <translation>导入 torchvision 模型</translation>
    </message>
    <message>
        <source>torchvision's image classifiers. convviz shows a network that is one chain of layers, each feeding the next; an architecture with branches, skip connections or attention is listed greyed, with the reason.</source>
        <translation>torchvision 的图像分类器。convviz 显示由一条层链组成、每层输出送入下一层的网络；带分支、跳跃连接或注意力的架构显示为灰色，并说明原因。</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>ImageNet weights</source>
        <translation>ImageNet 权重</translation>
    </message>
    <message>
        <source>Reading torchvision's architectures…</source>
        <translation>正在读取 torchvision 的架构…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Plain chains: can be imported ({n})</source>
        <translation>单链结构：可以导入（{n}）</translation>
    </message>
    <message>
        <source>Refused: not a plain chain ({n})</source>
        <translation>不能导入：不是单链结构（{n}）</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <source>{n} parameters</source>
        <translation>{n} 个参数</translation>
    </message>
    <message>
        <source>{t} ({n}): a plain chain of layers</source>
        <translation>{t}（{n}）：单链结构的层</translation>
    </message>
    <message>
        <source>torchvision lists no architecture that is a plain chain.</source>
        <translation>torchvision 中没有单链结构的架构。</translation>
    </message>
    <message>
        <source>{t} cannot be imported: it is not a plain chain of layers</source>
        <translation>{t} 无法导入：它不是单链结构的层</translation>
    </message>
    <message>
        <source>{t}: {p} parameters; ends in {w}.</source>
        <translation>{t}：{p} 个参数；输出为 {w}。</translation>
    </message>
    <message>
        <source>1,000 ImageNet classes, with official weights to load after the import</source>
        <translation>1,000 个 ImageNet 类别，导入后可加载官方权重</translation>
    </message>
    <message>
        <source>its classifier (no official weights)</source>
        <translation>它的分类器（没有官方权重）</translation>
    </message>
    <message>
        <source>Reading torchvision's architectures</source>
        <translation>正在读取 torchvision 的架构</translation>
    </message>
    <message>
        <source>torchvision is not available</source>
        <translation>torchvision 不可用</translation>
    </message>
    <message>
        <source>Importing {n}</source>
        <translation>正在导入 {n}</translation>
    </message>
    <message>
        <source>This model cannot be imported</source>
        <translation>无法导入此模型</translation>
    </message>
    <message>
        <source>Imported {t}: random initial weights until you load weights (File &gt; Load Weights)</source>
        <translation>已导入 {t}：加载权重之前是随机初始权重（文件 &gt; 加载权重）</translation>
    </message>
    <message>
        <source>Challenge {i}</source>
        <translation>挑战 {i}</translation>
    </message>
    <message>
        <source>Pick a challenge: its starting stack is loaded</source>
        <translation>选择一个挑战：会载入它的初始网络</translation>
    </message>
    <message>
        <source>Start again</source>
        <translation>重新开始</translation>
    </message>
    <message>
        <source>Load the challenge's starting stack (Undo brings yours back)</source>
        <translation>载入这个挑战的初始网络（撤销即可恢复你的网络）</translation>
    </message>
    <message>
        <source>Show me a solution</source>
        <translation>给我看一个解</translation>
    </message>
    <message>
        <source>Load a solution (Undo brings yours back); it does not count as yours</source>
        <translation>载入一个解（撤销即可恢复你的网络）；它不算你自己的答案</translation>
    </message>
    <message>
        <source>Start the challenge again</source>
        <translation>重新开始这个挑战</translation>
    </message>
    <message>
        <source>Build a solution</source>
        <translation>搭出一个解</translation>
    </message>
    <message>
        <source>Show a solution</source>
        <translation>展示一个解</translation>
    </message>
    <message>
        <source>Solved with your own stack.</source>
        <translation>用你自己的网络完成了。</translation>
    </message>
    <message>
        <source>A solution was shown: this challenge does not count. Try another one.</source>
        <translation>已经展示过一个解：这个挑战不再计分。换一个挑战试试。</translation>
    </message>
    <message>
        <source>Edit the stack in the layers panel until every line is ticked.</source>
        <translation>在层面板里编辑网络，直到每一行都打上勾。</translation>
    </message>
    <message>
        <source>Both models learn from horses near the centre only. Predict: which one still finds the horse when it stands far to the left or right?</source>
        <translation>两个模型都只见过画布中央附近的马。预测一下：马站到远处的左边或右边时，哪一个还能认出它？</translation>
    </message>
    <message>
        <source>Fully connected</source>
        <translation>全连接层</translation>
    </message>
    <message>
        <source>Convolution + max pooling</source>
        <translation>卷积 + 最大池化</translation>
    </message>
    <message>
        <source>Both</source>
        <translation>两个都能</translation>
    </message>
    <message>
        <source>Neither</source>
        <translation>都不能</translation>
    </message>
    <message>
        <source>Train both</source>
        <translation>训练两个模型</translation>
    </message>
    <message>
        <source>Train the fully connected classifier and the convolution on the same horses (a few seconds)</source>
        <translation>用同一批马训练全连接分类器和卷积网络（几秒钟）</translation>
    </message>
    <message>
        <source>shift of the horse (pixels)</source>
        <translation>马的平移量（像素）</translation>
    </message>
    <message>
        <source>test accuracy</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <source>fully connected</source>
        <translation>全连接</translation>
    </message>
    <message>
        <source>convolution</source>
        <translation>卷积</translation>
    </message>
    <message>
        <source>where the horses were in training</source>
        <translation>训练时马所在的位置</translation>
    </message>
    <message>
        <source>fully connected weights for 'horse'</source>
        <translation>全连接层对“马”的权重</translation>
    </message>
    <message>
        <source>the test canvas</source>
        <translation>测试画布</translation>
    </message>
    <message>
        <source>convolution's map</source>
        <translation>卷积的特征图</translation>
    </message>
    <message>
        <source>Move the horse left or right (it stays on the canvas)</source>
        <translation>把马向左或向右移动（马始终留在画布内）</translation>
    </message>
    <message>
        <source>Move the horse:</source>
        <translation>移动马：</translation>
    </message>
    <message>
        <source>the horse on the wide canvas, shift {dx}</source>
        <translation>宽画布上的马，平移 {dx}</translation>
    </message>
    <message>
        <source>Shift {dx} px · P(horse): fully connected {fc:.0%}, convolution {cv:.0%}</source>
        <translation>平移 {dx} 像素 · P(马)：全连接 {fc:.0%}，卷积 {cv:.0%}</translation>
    </message>
    <message>
        <source>Shift {dx} px · train the models to see what each one says</source>
        <translation>平移 {dx} 像素 · 训练模型后可看到各自的判断</translation>
    </message>
    <message>
        <source>Train again</source>
        <translation>重新训练</translation>
    </message>
    <message>
        <source>Choose your prediction, then press Train both.</source>
        <translation>先选出你的预测，再点“训练两个模型”。</translation>
    </message>
    <message>
        <source>Training… epoch {e} of {n}</source>
        <translation>训练中… 第 {e} / {n} 轮</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Measured on the test horses: fully connected {a:.0%} where it was trained, {b:.0%} elsewhere; convolution {c:.0%} and {d:.0%}.</source>
        <translation>在测试图像上实测：全连接层在训练过的位置为 {a:.0%}，其他位置为 {b:.0%}；卷积分别为 {c:.0%} 和 {d:.0%}。</translation>
    </message>
    <message>
        <source>Your prediction was right.</source>
        <translation>你的预测是对的。</translation>
    </message>
    <message>
        <source>Not what you predicted.</source>
        <translation>和你的预测不一样。</translation>
    </message>
    <message>
        <source>Dumoulin &amp; Visin's cases in their order, each paired with the transposed convolution that gives back the input size</source>
        <translation>Dumoulin 和 Visin 的各个情形，按原文顺序排列，每个都配有还原输入大小的转置卷积</translation>
    </message>
    <message>
        <source>Step the convolution</source>
        <translation>步进卷积</translation>
    </message>
    <message>
        <source>Step its transposed twin</source>
        <translation>步进它的转置卷积</translation>
    </message>
    <message>
        <source>Convolution arithmetic atlas:</source>
        <translation>卷积算术图集：</translation>
    </message>
    <message>
        <source>Step the upsampling</source>
        <translation>步进上采样</translation>
    </message>
    <message>
        <source>{i}×{i} → {o}×{o} → back to {i}×{i}</source>
        <translation>{i}×{i} → {o}×{o} → 回到 {i}×{i}</translation>
    </message>
    <message>
        <source>Two steps</source>
        <translation>两步</translation>
    </message>
    <message>
        <source>The input channel followed through the depthwise step</source>
        <translation>跟踪经过逐通道这一步的输入通道</translation>
    </message>
    <message>
        <source>The output channel of the pointwise step</source>
        <translation>逐点这一步的输出通道</translation>
    </message>
    <message>
        <source>Input channel:</source>
        <translation>输入通道：</translation>
    </message>
    <message>
        <source>Output channel:</source>
        <translation>输出通道：</translation>
    </message>
    <message>
        <source>Answer the cost question first: then this table compares the block with a standard convolution, counted and timed.</source>
        <translation>先回答下面的代价问题：之后这张表会把这个模块与标准卷积对比，既数出代价，也实测耗时。</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>标准卷积</translation>
    </message>
    <message>
        <source>Depthwise</source>
        <translation>逐通道</translation>
    </message>
    <message>
        <source>Pointwise</source>
        <translation>逐点</translation>
    </message>
    <message>
        <source>Separable (both)</source>
        <translation>可分离（两步合计）</translation>
    </message>
    <message>
        <source>Separable ÷ standard</source>
        <translation>可分离 ÷ 标准</translation>
    </message>
    <message>
        <source>Time (median)</source>
        <translation>耗时（中位数）</translation>
    </message>
    <message>
        <source>Measure the time</source>
        <translation>实测耗时</translation>
    </message>
    <message>
        <source>Time each convolution on this machine (median of {n} runs)</source>
        <translation>在本机为每个卷积计时（取 {n} 次的中位数）</translation>
    </message>
    <message>
        <source>Two digit classifiers (the bundled 8×8 digits) that differ only in their middle convolution: standard 3×3, or depthwise 3×3 then pointwise 1×1. Train both and compare.</source>
        <translation>两个数字分类器（使用自带的 8×8 手写数字），只有中间那一层卷积不同：一个是标准 3×3 卷积，另一个是逐通道 3×3 接逐点 1×1。把两个都训练一下，比较结果。</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>代价</translation>
    </message>
    <message>
        <source>Two models</source>
        <translation>两个模型</translation>
    </message>
    <message>
        <source>Layer {i} is invalid: {m} — fix it and the table follows.</source>
        <translation>第 {i} 层无效：{m}——改正它，表格就会随之更新。</translation>
    </message>
    <message>
        <source>depthwise
{kh}×{kw}, each
channel alone</source>
        <translation>逐通道
{kh}×{kw}，每个
通道各自卷积</translation>
    </message>
    <message>
        <source>pointwise
1×1, all {c}
channels mixed</source>
        <translation>逐点
1×1，混合全部
{c} 个通道</translation>
    </message>
    <message>
        <source>Cost (after your answer)</source>
        <translation>代价（回答后显示）</translation>
    </message>
    <message>
        <source>Measured here (median of {n} runs, torch threads: {t}): the separable block takes {tr:.0%} of the standard convolution's time for {mr:.0%} of its MACs. The depthwise step does {dm:.0%} of the block's multiply-adds but takes {dt:.0%} of its time: it does only k² multiply-adds for each value it reads and writes, so memory, not arithmetic, sets its speed. MACs are not time.</source>
        <translation>在本机实测（取 {n} 次的中位数，torch 线程数：{t}）：可分离模块的乘加次数是标准卷积的 {mr:.0%}，耗时却是它的 {tr:.0%}。逐通道那一步只占模块乘加次数的 {dm:.0%}，却占了模块耗时的 {dt:.0%}：它每读写一个数只做 k² 次乘加，速度取决于内存访问而不是计算。乘加次数不等于耗时。</translation>
    </message>
    <message>
        <source>This stack has no depthwise-separable block: add a DepthwiseSeparable layer, or a depthwise Conv2d (groups = in_channels = out_channels) followed by a 1×1 Conv2d.</source>
        <translation>这个网络里没有深度可分离模块：请添加一个 DepthwiseSeparable 层，或者一个逐通道 Conv2d（groups = in_channels = out_channels）后接一个 1×1 Conv2d。</translation>
    </message>
    <message>
        <source>Layer {i}: {c} → {n} channels, {kh}×{kw} kernel, stride {s}, {h}×{w} input, {oh}×{ow} output.</source>
        <translation>第 {i} 层：{c} → {n} 通道，{kh}×{kw} 卷积核，步长 {s}，输入 {h}×{w}，输出 {oh}×{ow}。</translation>
    </message>
    <message>
        <source>MobileNet's formula: 1/N + 1/k² = 1/{n} + 1/{kk} = {r:.4f}, the MAC ratio exactly (the parameters' too, without biases).</source>
        <translation>MobileNet 的公式：1/N + 1/k² = 1/{n} + 1/{kk} = {r:.4f}，恰好等于乘加次数之比（不计偏置时也等于参数量之比）。</translation>
    </message>
    <message>
        <source>Measuring…</source>
        <translation>正在计时…</translation>
    </message>
    <message>
        <source>Press Measure: each convolution runs {n} times here, the median counts.</source>
        <translation>按“实测耗时”：每个卷积在本机运行 {n} 次，取中位数。</translation>
    </message>
    <message>
        <source>input channel {c}</source>
        <translation>输入通道 {c}</translation>
    </message>
    <message>
        <source>depthwise map {c}</source>
        <translation>逐通道特征图 {c}</translation>
    </message>
    <message>
        <source>output channel {c}</source>
        <translation>输出通道 {c}</translation>
    </message>
    <message>
        <source>Could not time it: {m}</source>
        <translation>无法计时：{m}</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>训练中…</translation>
    </message>
    <message>
        <source>Training… {p:.0%}</source>
        <translation>训练中… {p:.0%}</translation>
    </message>
    <message>
        <source>Trained here on the digits: standard {a:.1%}, separable {b:.1%} test accuracy.</source>
        <translation>在本机用手写数字训练后的测试准确率：标准卷积 {a:.1%}，深度可分离 {b:.1%}。</translation>
    </message>
    <message>
        <source>Measured after {e} epochs, on {n} test digits: standard {a:.1%} ({pa:,} parameters, {ma:,} MACs); separable {b:.1%} ({pb:,} parameters, {mb:,} MACs). The two differ only in the middle convolution.</source>
        <translation>训练 {e} 轮后在 {n} 个测试数字上实测：标准卷积 {a:.1%}（{pa:,} 个参数，{ma:,} 次乘加）；深度可分离 {b:.1%}（{pb:,} 个参数，{mb:,} 次乘加）。两个模型只有中间那一层卷积不同。</translation>
    </message>
    <message>
        <source>Training stopped: {m}</source>
        <translation>训练已停止：{m}</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Trained kernels</source>
        <translation>训练后的卷积核</translation>
    </message>
    <message>
        <source>On: kernels convviz trained itself on its bundled data. Off: the random initial kernels. The same switch as View &gt; Trained Weights.</source>
        <translation>打开：convviz 用自带数据亲自训练出的卷积核。关闭：随机的初始卷积核。与“视图 &gt; 训练后的权重”是同一个开关。</translation>
    </message>
    <message>
        <source>The trained kernels do not fit this layer since its shape changed: the maps use the random initial kernels.</source>
        <translation>这一层的形状已改变，训练好的卷积核放不进去了：特征图改用随机的初始卷积核。</translation>
    </message>
    <message>
        <source>its generated shapes</source>
        <translation>自己生成的形状图像</translation>
    </message>
    <message>
        <source>the bundled handwritten digits</source>
        <translation>自带的手写数字</translation>
    </message>
    <message>
        <source>Trained by convviz on {data} ({acc} of the test images right); switch off to compare with the random initial kernels.</source>
        <translation>由 convviz 在{data}上训练（测试图像中 {acc} 判断正确）；关掉开关可与随机的初始卷积核对比。</translation>
    </message>
    <message>
        <source>No trained kernels are bundled for this stack.</source>
        <translation>这个网络没有附带训练好的卷积核。</translation>
    </message>
    <message>
        <source>Type a sentence of your own: words the network never saw are marked with ?</source>
        <translation>输入你自己的句子：网络没见过的词会标上 ?</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>TextCNN on words</source>
        <translation>在词上运行的 TextCNN</translation>
    </message>
    <message>
        <source>Sentence:</source>
        <translation>句子：</translation>
    </message>
    <message>
        <source>Not this sentence: {m}.</source>
        <translation>这个句子不行：{m}。</translation>
    </message>
    <message>
        <source>Not in the vocabulary (read as &lt;unk&gt;): {w}</source>
        <translation>不在词表中（按未知词读入）：{w}</translation>
    </message>
    <message>
        <source>The n-gram that wins each filter's max over time (— : the filter does not fire):</source>
        <translation>在每个滤波器的时间维最大池化中胜出的 n 元词组（—：该滤波器没有被激活）：</translation>
    </message>
    <message>
        <source>filter</source>
        <translation>滤波器</translation>
    </message>
    <message>
        <source>Conv2d(1, {f}, kernel_size=(k, {e})) over the sentence = Conv1d({e}, {f}, k) over its embedding: largest difference {d:.1e}.</source>
        <translation>在句子上做 Conv2d(1, {f}, kernel_size=(k, {e})) = 在词向量上做 Conv1d({e}, {f}, k)：最大差值 {d:.1e}。</translation>
    </message>
    <message>
        <source>The same maps as Conv1d(in_channels={e}, out_channels={f}, kernel_size=k) over the ({e}, {n}) embedding and as Conv2d(1, {f}, kernel_size=(k, {e})) over the (1, {n}, {e}) sentence: largest difference {d:.1e}. A kernel as wide as the embedding can only slide down the sentence.</source>
        <translation>同样的特征图，既是在 ({e}, {n}) 的词向量上做 Conv1d(in_channels={e}, out_channels={f}, kernel_size=k)，也是在 (1, {n}, {e}) 的句子上做 Conv2d(1, {f}, kernel_size=(k, {e}))：最大差值 {d:.1e}。卷积核和词向量一样宽，就只能沿着句子往下滑。</translation>
    </message>
    <message>
        <source>Found: “{w}” fires filter {f} of width {k} at {v:.2f}, above the first sentence's {b:.2f}.</source>
        <translation>找到了：“{w}”让宽度 {k} 的滤波器 {f} 达到 {v:.2f}，高于第一个句子的 {b:.2f}。</translation>
    </message>
    <message>
        <source>Find it: type a sentence of your own that fires filter {f} of width {k} (outlined in this colour) harder than the first sentence does ({b:.2f}); here it reaches {v:.2f}.</source>
        <translation>找一找：输入你自己的句子，让宽度 {k} 的滤波器 {f}（用这种颜色框出）比第一个句子激活得更强（{b:.2f}）；现在它达到 {v:.2f}。</translation>
    </message>
    <message>
        <source>Training… epoch {e}</source>
        <translation>训练中… 第 {e} 轮</translation>
    </message>
    <message>
        <source>Trained: {a:.1%} of the {n} test sentences right (measured; chance is 50%).</source>
        <translation>已训练：{n} 个测试句子中判断正确 {a:.1%}（实测；随机猜测为 50%）。</translation>
    </message>
    <message>
        <source>Random weights so far: press Train and the network learns from {n} labelled sentences.</source>
        <translation>目前是随机权重：按“训练”，网络会从 {n} 个带标签的句子中学习。</translation>
    </message>
    <message>
        <source>positive</source>
        <translation>正面</translation>
    </message>
    <message>
        <source>negative</source>
        <translation>负面</translation>
    </message>
    <message>
        <source>This sentence: {l} ({p:.1%}).</source>
        <translation>这个句子：{l}（{p:.1%}）。</translation>
    </message>
    <message>
        <source>Stopped: {m}</source>
        <translation>已停止：{m}</translation>
    </message>
</context>
<context>
    <name>InputPanel</name>
    <message>
        <source>Impulse (one bright pixel)</source>
        <translation>冲激（一个亮像素）</translation>
    </message>
    <message>
        <source>Vertical edge</source>
        <translation>竖直边缘</translation>
    </message>
    <message>
        <source>Horizontal edge</source>
        <translation>水平边缘</translation>
    </message>
    <message>
        <source>Checkerboard</source>
        <translation>棋盘格</translation>
    </message>
    <message>
        <source>Gradient</source>
        <translation>渐变</translation>
    </message>
    <message>
        <source>The lesson's matrix 1, 2, 3, ...</source>
        <translation>课程中的矩阵 1, 2, 3, ...</translation>
    </message>
    <message>
        <source>Word embeddings (a sentence for TextCNN)</source>
        <translation>词向量（TextCNN 的一个句子）</translation>
    </message>
    <message>
        <source>Astronaut (photo)</source>
        <translation>宇航员（照片）</translation>
    </message>
    <message>
        <source>Coffee cup (photo)</source>
        <translation>咖啡杯（照片）</translation>
    </message>
    <message>
        <source>Cat (photo)</source>
        <translation>猫（照片）</translation>
    </message>
    <message>
        <source>Horse (silhouette)</source>
        <translation>马（剪影）</translation>
    </message>
    <message>
        <source>Cameraman (grayscale photo)</source>
        <translation>摄影师（灰度照片）</translation>
    </message>
</context>
<context>
    <name>atlas</name>
    <message>
        <source>A transposed convolution whose kernel size is not a multiple of its stride covers the output unevenly: with kernel 3 and stride 2 every other row and column receives half as many contributions (1, 2, 1, 2 ... along each axis), and an upsampled image shows a grid. Kernel 4 and stride 2 cover every inner cell twice along each axis: no grid.</source>
        <translation>卷积核大小不是步长整数倍的转置卷积对输出的覆盖不均匀：卷积核 3、步长 2 时，每隔一行、一列得到的贡献只有相邻行列的一半（每个方向上依次为 1、2、1、2……），上采样后的图像上会出现网格。卷积核 4、步长 2 时，每个内部单元在每个方向上都恰好被覆盖两次：没有网格。</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>the last window would start in the right padding, so ceil_mode drops it</source>
        <translation>最后一个窗口会从右侧填充中开始，所以 ceil_mode 把它去掉了</translation>
    </message>
    <message>
        <source>ceil_mode keeps a last, partial window</source>
        <translation>ceil_mode 保留了最后一个不完整的窗口</translation>
    </message>
    <message>
        <source>{n} (unchanged)</source>
        <translation>{n}（不变）</translation>
    </message>
    <message>
        <source>{n} row</source>
        <translation>{n} 行</translation>
    </message>
    <message>
        <source>{n} rows</source>
        <translation>{n} 行</translation>
    </message>
    <message>
        <source>{n} column</source>
        <translation>{n} 列</translation>
    </message>
    <message>
        <source>{n} columns</source>
        <translation>{n} 列</translation>
    </message>
    <message>
        <source>{a} and {b}</source>
        <translation>{a}和{b}</translation>
    </message>
    <message>
        <source>the floor division drops {what} of the padded input</source>
        <translation>向下取整丢掉了填充后输入的{what}</translation>
    </message>
    <message>
        <source>Linear reads only the last dimension, {n} values; a Flatten before it makes it read all {total}</source>
        <translation>Linear 只读取最后一维的 {n} 个值；在它前面加一个 Flatten，它就会读取全部 {total} 个值</translation>
    </message>
    <message>
        <source>this stack needs about {need} of GPU memory, more than the {budget} free on {device} — reduce the input size, the channels or the number of layers, or compute on the CPU</source>
        <translation>这个网络大约需要 {need} 的 GPU 内存，超过了 {device} 上空闲的 {budget}——请减小输入尺寸、通道数或层数，或改用 CPU 计算</translation>
    </message>
    <message>
        <source>Not computed: the input did not fit in the {device}'s memory; convviz released its caches — reduce the input size</source>
        <translation>未计算：{device} 内存放不下输入；convviz 已释放其缓存——请减小输入尺寸</translation>
    </message>
    <message>
        <source>Not computed: layer {i} ({type}) ran out of {device} memory; convviz released its caches — reduce the input size, the channels or the number of layers</source>
        <translation>未计算：第 {i} 层（{type}）耗尽了 {device} 内存；convviz 已释放其缓存——请减小输入尺寸、通道数或层数</translation>
    </message>
    <message>
        <source>Input: {problem}</source>
        <translation>输入：{problem}</translation>
    </message>
    <message>
        <source>Not computed: {problem}</source>
        <translation>未计算：{problem}</translation>
    </message>
    <message>
        <source>Layer {i} ({type}): torch could not compute it: {e}</source>
        <translation>第 {i} 层（{type}）：torch 无法计算：{e}</translation>
    </message>
    <message>
        <source>the effective receptive field of layer {i} needs about {need}, more than the {budget} convviz allows itself here — choose an earlier layer or reduce the input size</source>
        <translation>第 {i} 层的有效感受野大约需要 {need}，超过了 convviz 在本机允许使用的 {budget}——请选择更靠前的层或减小输入尺寸</translation>
    </message>
    <message>
        <source>this stack needs about {need} to compute and keep every layer's maps, more than the {budget} convviz allows itself here — reduce the input size, the channels or the number of layers</source>
        <translation>计算并保存这个网络每一层的特征图大约需要 {need}，超过了 convviz 在本机允许使用的 {budget}——请减小输入尺寸、通道数或层数</translation>
    </message>
    <message>
        <source>Sobel x needs a kernel at least 2 wide — increase kernel_size</source>
        <translation>Sobel x 需要宽度至少为 2 的卷积核——请增大 kernel_size</translation>
    </message>
    <message>
        <source>Sobel y needs a kernel at least 2 high — increase kernel_size</source>
        <translation>Sobel y 需要高度至少为 2 的卷积核——请增大 kernel_size</translation>
    </message>
    <message>
        <source>the Laplacian needs a kernel of at least 3x3 — increase kernel_size</source>
        <translation>拉普拉斯需要至少 3x3 的卷积核——请增大 kernel_size</translation>
    </message>
    <message>
        <source>sharpen needs a kernel of at least 3x3 — increase kernel_size</source>
        <translation>锐化需要至少 3x3 的卷积核——请增大 kernel_size</translation>
    </message>
    <message>
        <source>the image {name} does not exist</source>
        <translation>图像 {name} 不存在</translation>
    </message>
    <message>
        <source>the image {name} cannot be opened ({e})</source>
        <translation>无法打开图像 {name}（{e}）</translation>
    </message>
    <message>
        <source>{name} is not an image file but a folder, a device or a pipe — choose an image file</source>
        <translation>{name} 不是图像文件，而是文件夹、设备或管道——请选择一个图像文件</translation>
    </message>
    <message>
        <source>{name} is not an image convviz can read (PNG, JPEG, BMP, GIF, TIFF, WebP)</source>
        <translation>{name} 不是 convviz 能读取的图像（PNG、JPEG、BMP、GIF、TIFF、WebP）</translation>
    </message>
    <message>
        <source>{name} is {size} pixels, more than the {limit} pixels convviz decodes — use a smaller image</source>
        <translation>{name} 有 {size} 个像素，超过了 convviz 可解码的 {limit} 像素——请使用更小的图像</translation>
    </message>
    <message>
        <source>{name} could not be read as an image: it looks damaged ({e})</source>
        <translation>无法把 {name} 读取为图像：文件似乎已损坏（{e}）</translation>
    </message>
    <message>
        <source>{name} is too large to decode in the memory available</source>
        <translation>{name} 太大，可用内存不足以解码</translation>
    </message>
    <message>
        <source>the {k} kernel</source>
        <translation>{k} 的卷积核</translation>
    </message>
    <message>
        <source>the {k} window</source>
        <translation>{k} 的窗口</translation>
    </message>
    <message>
        <source>the {e} kernel ({k} with dilation {d})</source>
        <translation>{e} 的卷积核（{k}，空洞率为 {d}）</translation>
    </message>
    <message>
        <source>the {e} window ({k} with dilation {d})</source>
        <translation>{e} 的窗口（{k}，空洞率为 {d}）</translation>
    </message>
    <message>
        <source>{type} works on maps (channels x height x width), but the layer before gives a vector of {n} values — put {type} before the Flatten, or remove the Flatten</source>
        <translation>{type} 作用于特征图（通道×高×宽），但上一层输出的是一个含 {n} 个值的向量——请把 {type} 放到 Flatten 之前，或去掉 Flatten</translation>
    </message>
    <message>
        <source>{type} works on maps (channels x height x width), but the layer before gives a {shape} tensor of {rank} dimensions — put {type} before the Flatten, or flatten fewer dimensions</source>
        <translation>{type} 作用于特征图（通道×高×宽），但上一层输出的是一个 {rank} 维的 {shape} 张量——请把 {type} 放到 Flatten 之前，或少合并几个维度</translation>
    </message>
    <message>
        <source>start_dim {v} is not a dimension of the input: with its batch it has {n} dimensions, 0 to {last} (or -{n} to -1) — use start_dim 1 to keep the batch and join the rest</source>
        <translation>start_dim {v} 不是输入的一个维度：连同批维度，输入有 {n} 个维度，编号 0 到 {last}（或 -{n} 到 -1）——用 start_dim 1 可保留批维度并合并其余维度</translation>
    </message>
    <message>
        <source>end_dim {v} is not a dimension of the input: with its batch it has {n} dimensions, 0 to {last} (or -{n} to -1) — use end_dim -1 to join up to the last one</source>
        <translation>end_dim {v} 不是输入的一个维度：连同批维度，输入有 {n} 个维度，编号 0 到 {last}（或 -{n} 到 -1）——用 end_dim -1 可一直合并到最后一维</translation>
    </message>
    <message>
        <source>start_dim {s} comes after end_dim {e} (dimensions {a} and {b} of the input with its batch) — choose start_dim at most end_dim</source>
        <translation>start_dim {s} 在 end_dim {e} 之后（连同批维度，是输入的第 {a} 和第 {b} 维）——请让 start_dim 不大于 end_dim</translation>
    </message>
    <message>
        <source>start_dim {s} would join the batch dimension into the values, and convviz shows one example at a time — use start_dim 1 (the default)</source>
        <translation>start_dim {s} 会把批维度也合并进值里，而 convviz 一次只显示一个样本——请使用 start_dim 1（默认值）</translation>
    </message>
    <message>
        <source>the input's last dimension has {n} values, more than in_features can be ({most}) — make the input smaller before this layer</source>
        <translation>输入的最后一维有 {n} 个值，超过了 in_features 的上限（{most}）——请在这一层之前把输入变小</translation>
    </message>
    <message>
        <source>in_features is {given}, all the values of the {shape} input, but Linear reads only the last dimension ({n} values) — put a Flatten before this layer</source>
        <translation>in_features 是 {given}，即 {shape} 输入的全部值，但 Linear 只读取最后一维（{n} 个值）——请在这一层前加一个 Flatten</translation>
    </message>
    <message>
        <source>in_features is {given} but the input has {n} values — set in_features to {n} or leave it out</source>
        <translation>in_features 是 {given}，但输入有 {n} 个值——请把 in_features 设为 {n} 或留空</translation>
    </message>
    <message>
        <source>in_features is {given} but the input's last dimension has {n} values (the input is {shape}) — set in_features to {n}, or put a Flatten before this layer and set it to {total}</source>
        <translation>in_features 是 {given}，但输入的最后一维有 {n} 个值（输入为 {shape}）——请把 in_features 设为 {n}，或在这一层前加一个 Flatten 并把它设为 {total}</translation>
    </message>
    <message>
        <source>{name} is {given} but the input has {c} channels — set {name} to {c} or leave it out</source>
        <translation>{name} 为 {given}，但输入有 {c} 个通道——请把 {name} 设为 {c}，或留空</translation>
    </message>
    <message>
        <source>{name} is {given} but the input has {c} channel — set {name} to {c} or leave it out</source>
        <translation>{name} 为 {given}，但输入只有 {c} 个通道——请把 {name} 设为 {c}，或留空</translation>
    </message>
    <message>
        <source>{name} is {given} but the previous layer gives {c} channels — set {name} to {c} or leave it out</source>
        <translation>{name} 为 {given}，但上一层输出 {c} 个通道——请把 {name} 设为 {c}，或留空</translation>
    </message>
    <message>
        <source>{name} is {given} but the previous layer gives {c} channel — set {name} to {c} or leave it out</source>
        <translation>{name} 为 {given}，但上一层只输出 {c} 个通道——请把 {name} 设为 {c}，或留空</translation>
    </message>
    <message>
        <source>padding='same' is not supported with stride {s} — use stride 1, or give padding as numbers</source>
        <translation>步长为 {s} 时不支持 padding='same'——请使用步长 1，或用数字指定 padding</translation>
    </message>
    <message>
        <source>reflect padding of {p} needs an input larger than {p} pixels on every side, but the input is {size} — reduce padding to at most {most}, or choose padding_mode 'zeros' or 'replicate'</source>
        <translation>{p} 的镜像填充要求输入每一边都大于 {p} 个像素，但输入是 {size}——请把 padding 减到最多 {most}，或选择 padding_mode 'zeros' 或 'replicate'</translation>
    </message>
    <message>
        <source>circular padding of {p} would wrap around a {size} input more than once — reduce padding to at most {most}, or choose another padding_mode</source>
        <translation>{p} 的循环填充会在 {size} 的输入上绕回不止一次——请把 padding 减到最多 {most}，或选择其他 padding_mode</translation>
    </message>
    <message>
        <source>{kernel} is larger than the padded input {size} — {fix}</source>
        <translation>{kernel}比填充后的输入 {size} 还大——{fix}</translation>
    </message>
    <message>
        <source>reduce kernel_size or dilation, or add padding</source>
        <translation>请减小 kernel_size 或 dilation，或增加 padding</translation>
    </message>
    <message>
        <source>reduce kernel_size, or add padding</source>
        <translation>请减小 kernel_size，或增加 padding</translation>
    </message>
    <message>
        <source>in_channels {c} is not divisible by groups {g} — choose groups that divides both in_channels and out_channels (1 always does)</source>
        <translation>in_channels {c} 不能被 groups {g} 整除——请选择能同时整除 in_channels 和 out_channels 的 groups（1 总是可以）</translation>
    </message>
    <message>
        <source>out_channels {co} is not divisible by groups {g} — choose out_channels as a multiple of {g}, or change groups</source>
        <translation>out_channels {co} 不能被 groups {g} 整除——请把 out_channels 设为 {g} 的倍数，或修改 groups</translation>
    </message>
    <message>
        <source>{field} {problem} — change {name}</source>
        <translation>{field} {problem}——请修改 {name}</translation>
    </message>
    <message>
        <source>{type} has no argument {name}</source>
        <translation>{type} 没有参数 {name}</translation>
    </message>
    <message>
        <source>{name} is missing</source>
        <translation>缺少 {name}</translation>
    </message>
    <message>
        <source>return_indices=True makes the layer give a pair (the maxima and where they are), which the next layer cannot read — set return_indices to false</source>
        <translation>return_indices=True 会让这一层输出一对值（最大值及其位置），下一层无法读取——请把 return_indices 设为 false</translation>
    </message>
    <message>
        <source>without running statistics, BatchNorm2d normalises with the statistics of the map itself, which needs more than one value per channel, but the map is 1x1 — set track_running_stats to true, or give it a larger input</source>
        <translation>没有滑动统计量时，BatchNorm2d 用特征图自身的统计量做归一化，这要求每个通道不止一个值，但特征图是 1x1——请把 track_running_stats 设为 true，或给它更大的输入</translation>
    </message>
    <message>
        <source>ConvTranspose2d supports only padding_mode='zeros' — change padding_mode to 'zeros'</source>
        <translation>ConvTranspose2d 只支持 padding_mode='zeros'——请把 padding_mode 改为 'zeros'</translation>
    </message>
    <message>
        <source>output_padding {op} (in height) must be smaller than the stride {s} or the dilation {d} — reduce output_padding or increase stride</source>
        <translation>（高方向的）output_padding {op} 必须小于步长 {s} 或空洞率 {d}——请减小 output_padding 或增大 stride</translation>
    </message>
    <message>
        <source>output_padding {op} (in width) must be smaller than the stride {s} or the dilation {d} — reduce output_padding or increase stride</source>
        <translation>（宽方向的）output_padding {op} 必须小于步长 {s} 或空洞率 {d}——请减小 output_padding 或增大 stride</translation>
    </message>
    <message>
        <source>the output would be {size}, smaller than 1x1 — reduce padding, or increase kernel_size or stride</source>
        <translation>输出将是 {size}，小于 1x1——请减小 padding，或增大 kernel_size 或 stride</translation>
    </message>
    <message>
        <source>padding {p} is more than half of the kernel size {k} — use padding at most {half}, or a larger kernel</source>
        <translation>padding {p} 超过了卷积核大小 {k} 的一半——padding 最多为 {half}，或使用更大的卷积核</translation>
    </message>
    <message>
        <source>{window} does not fit in the padded input {size}, so the output would be {out} — {fix}</source>
        <translation>{window}放不进填充后的输入 {size}，输出将是 {out}——{fix}</translation>
    </message>
    <message>
        <source>the weight would be {shape} = {n} values, more than a tensor can hold (torch counts its bytes in 64 bits) — reduce out_features, or the input before this layer</source>
        <translation>权重将是 {shape} = {n} 个值，超过了一个张量能容纳的数量（torch 用 64 位计数字节）——请减小 out_features，或减小这一层之前的输入</translation>
    </message>
    <message>
        <source>the output would be {shape} = {n} values, more than a tensor can hold (torch counts its bytes in 64 bits) — reduce out_features, or put a Flatten before this layer</source>
        <translation>输出将是 {shape} = {n} 个值，超过了一个张量能容纳的数量（torch 用 64 位计数字节）——请减小 out_features，或在这一层前加一个 Flatten</translation>
    </message>
    <message>
        <source>the output would be {c}x{h}x{w} = {n} values, more than a tensor can hold (torch counts its bytes in 64 bits) — reduce stride, kernel_size or out_channels</source>
        <translation>输出将是 {c}x{h}x{w} = {n} 个值，超出张量所能容纳的范围（torch 用 64 位整数计算字节数）——请减小 stride、kernel_size 或 out_channels</translation>
    </message>
    <message>
        <source>{type} has no kernel to set — remove its kernel_init</source>
        <translation>{type} 没有可设置的卷积核——请删除它的 kernel_init</translation>
    </message>
    <message>
        <source>the typed kernel has shape {got} but this layer's weight is {want} — type it again or choose a named kernel</source>
        <translation>输入的卷积核形状是 {got}，但这一层的权重是 {want}——请重新输入，或选择一个命名卷积核</translation>
    </message>
    <message>
        <source>Layer {i} ({type}): {reason}</source>
        <translation>第 {i} 层（{type}）：{reason}</translation>
    </message>
    <message>
        <source>{field}: {message}</source>
        <translation>{field}：{message}</translation>
    </message>
    <message>
        <source>{name} has {n} numbers but the input has {channels} channel(s) — give one number per channel, or one for all</source>
        <translation>{name} 有 {n} 个数，但输入有 {channels} 个通道——请每个通道给一个数，或只给一个数用于所有通道</translation>
    </message>
    <message>
        <source>give both mean and std (or neither): normalisation is (value - mean) / std</source>
        <translation>请同时给出 mean 和 std（或都不给）：归一化是 (值 - mean) / std</translation>
    </message>
    <message>
        <source>mean must hold numbers between -{most} and {most}, got {value}</source>
        <translation>mean 中的数必须在 -{most} 到 {most} 之间，实际为 {value}</translation>
    </message>
    <message>
        <source>std must hold numbers above 0 (a division by it), at most {most}, got {value}</source>
        <translation>std 中的数必须大于 0（要用它做除数），且最多为 {most}，实际为 {value}</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>expected a whole number, got {value}</source>
        <translation>应为整数，实际为 {value}</translation>
    </message>
    <message>
        <source>must be between {lo} and {hi}, got {value}</source>
        <translation>应在 {lo} 到 {hi} 之间，实际为 {value}</translation>
    </message>
    <message>
        <source>expected text, got {value}</source>
        <translation>应为文本，实际为 {value}</translation>
    </message>
    <message>
        <source>at most {limit} characters, got {n}</source>
        <translation>最多 {limit} 个字符，实际为 {n}</translation>
    </message>
    <message>
        <source>contains a lone surrogate ({code}) at character {at}, which is not a character and cannot be saved — remove it</source>
        <translation>第 {at} 个字符处有一个孤立的代理码位（{code}），它不是字符，无法保存——请删除它</translation>
    </message>
    <message>
        <source>expected a 4-D list [out][in][kh][kw] of numbers</source>
        <translation>应为一个四维数字列表 [out][in][kh][kw]</translation>
    </message>
    <message>
        <source>at most {most} typed numbers, got {shape} = {n} — choose a named kernel or random weights for a layer this large</source>
        <translation>最多 {most} 个手动输入的数，实际为 {shape} = {n} 个——这么大的层请选择一个具名卷积核或随机权重</translation>
    </message>
    <message>
        <source>{n} items</source>
        <translation>{n} 项</translation>
    </message>
    <message>
        <source>the typed kernel is not a regular {dims} array: {at} has {got} where {want} are expected — every row needs the same length</source>
        <translation>手动输入的卷积核不是规整的 {dims} 数组：{at} 有 {got}，而应有 {want} 个——每一行的长度必须相同</translation>
    </message>
    <message>
        <source>the list</source>
        <translation>该列表</translation>
    </message>
    <message>
        <source>expected finite numbers, got {value} at {at}</source>
        <translation>应为有限的数，{at} 处实际为 {value}</translation>
    </message>
    <message>
        <source>expected finite numbers float32 can hold (at most about 3.4e38 in size), got {value} at {at}</source>
        <translation>应为 float32 能表示的有限数（绝对值最多约 3.4e38），{at} 处实际为 {value}</translation>
    </message>
    <message>
        <source>unknown kernel {value}; known: {known}</source>
        <translation>未知的卷积核 {value}；已知的有：{known}</translation>
    </message>
    <message>
        <source>expected a kernel name or {example}</source>
        <translation>应为卷积核名称或 {example}</translation>
    </message>
    <message>
        <source>a convviz project is a JSON object</source>
        <translation>convviz 工程是一个 JSON 对象</translation>
    </message>
    <message>
        <source>expected {format}, got {value} — this is not a convviz project</source>
        <translation>应为 {format}，实际为 {value}——这不是 convviz 工程</translation>
    </message>
    <message>
        <source>it was written by a newer convviz</source>
        <translation>它由更新版本的 convviz 写成</translation>
    </message>
    <message>
        <source>it is not a version this convviz reads</source>
        <translation>这个版本的 convviz 不能读取它</translation>
    </message>
    <message>
        <source>version {value} is not supported ({hint}); this convviz reads version {version}</source>
        <translation>不支持版本 {value}（{hint}）；这个 convviz 读取版本 {version}</translation>
    </message>
    <message>
        <source>unknown field; a project has: {known}</source>
        <translation>未知字段；工程的字段有：{known}</translation>
    </message>
    <message>
        <source>missing or not an object with channels, height, width and source</source>
        <translation>缺失，或不是含有 channels、height、width 和 source 的对象</translation>
    </message>
    <message>
        <source>unknown field; input has channels, height, width, source, shift, fit, resize, mean and std</source>
        <translation>未知字段；input 的字段有 channels、height、width、source、shift、fit、resize、mean 和 std</translation>
    </message>
    <message>
        <source>expected a sample name or an image path, got {value}</source>
        <translation>应为示例图像名或图像路径，实际为 {value}</translation>
    </message>
    <message>
        <source>expected [dy, dx], two whole numbers, got {value}</source>
        <translation>应为 [dy, dx] 两个整数，实际为 {value}</translation>
    </message>
    <message>
        <source>expected one of {choices}, got {value}</source>
        <translation>应为 {choices} 之一，实际为 {value}</translation>
    </message>
    <message>
        <source>missing or not a list of layers</source>
        <translation>缺失，或不是由层组成的列表</translation>
    </message>
    <message>
        <source>at most {most} layers, got {n}</source>
        <translation>最多 {most} 层，实际为 {n} 层</translation>
    </message>
    <message>
        <source>expected an object such as {example}</source>
        <translation>应为形如 {example} 的对象</translation>
    </message>
    <message>
        <source>{type} has no kernel to initialise</source>
        <translation>{type} 没有可初始化的卷积核</translation>
    </message>
    <message>
        <source>expected a list of numbers, one per channel, got {value}</source>
        <translation>应为一个数的列表，每个通道一个，实际为 {value}</translation>
    </message>
    <message>
        <source>the key {key} appears twice in one object; each key may appear once, so it is not clear which value is meant</source>
        <translation>键 {key} 在同一个对象中出现了两次；每个键只能出现一次，否则不清楚指的是哪个值</translation>
    </message>
    <message>
        <source>Expecting value</source>
        <translation>此处应为一个值</translation>
    </message>
    <message>
        <source>Expecting property name enclosed in double quotes</source>
        <translation>此处应为用双引号括起的属性名</translation>
    </message>
    <message>
        <source>Expecting ':' delimiter</source>
        <translation>此处应为 ':' 分隔符</translation>
    </message>
    <message>
        <source>Expecting ',' delimiter</source>
        <translation>此处应为 ',' 分隔符</translation>
    </message>
    <message>
        <source>Unterminated string starting at</source>
        <translation>字符串没有结束，起始于</translation>
    </message>
    <message>
        <source>Invalid control character at</source>
        <translation>此处有无效的控制字符</translation>
    </message>
    <message>
        <source>Invalid \escape</source>
        <translation>无效的 \ 转义</translation>
    </message>
    <message>
        <source>Invalid \uXXXX escape</source>
        <translation>无效的 \uXXXX 转义</translation>
    </message>
    <message>
        <source>Extra data</source>
        <translation>有多余的数据</translation>
    </message>
    <message>
        <source>Illegal trailing comma before end of object</source>
        <translation>对象结尾前有多余的逗号</translation>
    </message>
    <message>
        <source>Illegal trailing comma before end of array</source>
        <translation>数组结尾前有多余的逗号</translation>
    </message>
    <message>
        <source>No such file or directory</source>
        <translation>没有这个文件或文件夹</translation>
    </message>
    <message>
        <source>Permission denied</source>
        <translation>没有权限</translation>
    </message>
    <message>
        <source>Operation not permitted</source>
        <translation>不允许此操作</translation>
    </message>
    <message>
        <source>Not a directory</source>
        <translation>路径中有一部分不是文件夹</translation>
    </message>
    <message>
        <source>Is a directory</source>
        <translation>这是一个文件夹</translation>
    </message>
    <message>
        <source>File name too long</source>
        <translation>文件名太长</translation>
    </message>
    <message>
        <source>not valid JSON (line {line}, column {column}: {why})</source>
        <translation>不是有效的 JSON（第 {line} 行第 {column} 列：{why}）</translation>
    </message>
    <message>
        <source>not a convviz project: its JSON is nested too deeply (a project is at most 7 levels deep)</source>
        <translation>不是 convviz 工程：它的 JSON 嵌套太深（工程最多 7 层嵌套）</translation>
    </message>
    <message>
        <source>not a convviz project: it holds a number too long to read ({why})</source>
        <translation>不是 convviz 工程：其中有一个长得无法读取的数（{why}）</translation>
    </message>
    <message>
        <source>cannot read {file}: {why}</source>
        <translation>无法读取 {file}：{why}</translation>
    </message>
    <message>
        <source>{file} is a folder, not a project file</source>
        <translation>{file} 是一个文件夹，不是工程文件</translation>
    </message>
    <message>
        <source>{file} is not a regular file (it is a device, a pipe or a socket) — a project is a .json file</source>
        <translation>{file} 不是普通文件（它是设备、管道或套接字）——工程是 .json 文件</translation>
    </message>
    <message>
        <source>{file} is {size} bytes, too large for a project file (at most {most})</source>
        <translation>{file} 有 {size} 字节，作为工程文件太大了（最多 {most}）</translation>
    </message>
    <message>
        <source>{file} is larger than {most} bytes, too large for a project file</source>
        <translation>{file} 大于 {most} 字节，作为工程文件太大了</translation>
    </message>
    <message>
        <source>{file} is not a text file (not UTF-8) — is it a convviz project?</source>
        <translation>{file} 不是文本文件（不是 UTF-8）——它是 convviz 工程吗？</translation>
    </message>
    <message>
        <source>the input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>layer {i}</source>
        <translation>第 {i} 层</translation>
    </message>
    <message>
        <source>{name} has a map too large for an exact receptive field ({size}, more than {most} pixels a side) — use the theoretical field, or a smaller stack</source>
        <translation>{name}的特征图太大，无法计算精确感受野（{size}，单边超过 {most} 像素）——请使用理论感受野，或缩小网络</translation>
    </message>
    <message>
        <source>the exact receptive field of this pixel would hold up to {n} rows and columns over its maps, more than convviz computes at once ({most}) — pick a layer nearer the input, or use the theoretical field</source>
        <translation>这个像素的精确感受野在各特征图上将多达 {n} 行和列，超过 convviz 一次能计算的上限（{most}）——请选择更靠近输入的层，或使用理论感受野</translation>
    </message>
    <message>
        <source>{size}, jump {jump}, offset {offset}</source>
        <translation>{size}，跳距 {jump}，偏移 {offset}</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <source>not computed: layer {i} is invalid</source>
        <translation>未计算：第 {i} 层无效</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>FLOPs = 2 x MACs</source>
        <translation>FLOPs = 2 × MACs</translation>
    </message>
    <message>
        <source>must be at least {least}, got {value}</source>
        <translation>至少应为 {least}，实际为 {value}</translation>
    </message>
    <message>
        <source>must be at most {most}, got {value}</source>
        <translation>至多应为 {most}，实际为 {value}</translation>
    </message>
    <message>
        <source>expected one number or a pair [height, width], got {value}</source>
        <translation>应为一个数或一对数 [高, 宽]，实际为 {value}</translation>
    </message>
    <message>
        <source>expected a whole number, got None — leave {name} out to take the previous layer's last dimension</source>
        <translation>应为整数，实际为 None——省略 {name} 即可取上一层的最后一维</translation>
    </message>
    <message>
        <source>expected a whole number, got None — leave {name} out to take the previous layer's output channels</source>
        <translation>应为整数，实际为 None——省略 {name} 即可取上一层的输出通道数</translation>
    </message>
    <message>
        <source>padding={value} is not supported here; give padding as a number or a pair (only Conv2d accepts 'same' and 'valid')</source>
        <translation>这里不支持 padding={value}；请把 padding 写成一个数或一对数（只有 Conv2d 接受 'same' 和 'valid'）</translation>
    </message>
    <message>
        <source>expected a number, a pair, 'same' or 'valid', got {value}</source>
        <translation>应为一个数、一对数、'same' 或 'valid'，实际为 {value}</translation>
    </message>
    <message>
        <source>expected true or false, got {value}</source>
        <translation>应为 true 或 false，实际为 {value}</translation>
    </message>
    <message>
        <source>expected a number, got {value}</source>
        <translation>应为一个数，实际为 {value}</translation>
    </message>
    <message>
        <source>expected a finite number</source>
        <translation>应为一个有限的数</translation>
    </message>
    <message>
        <source>expected an object with a {type}, got {value}</source>
        <translation>应为含有 {type} 的对象，实际为 {value}</translation>
    </message>
    <message>
        <source>missing; every layer needs a {type} such as {example}</source>
        <translation>缺失；每一层都需要一个 {type}，例如 {example}</translation>
    </message>
    <message>
        <source>unknown layer type {value}; known types: {known}</source>
        <translation>未知的层类型 {value}；已知的类型有：{known}</translation>
    </message>
    <message>
        <source>{type} has no argument {name}; its arguments are: {names}</source>
        <translation>{type} 没有参数 {name}；它的参数有：{names}</translation>
    </message>
    <message>
        <source>missing; {type} needs {name}</source>
        <translation>缺失；{type} 需要 {name}</translation>
    </message>
    <message>
        <source>equivariance</source>
        <translation>等变性</translation>
    </message>
    <message>
        <source>weight sharing</source>
        <translation>权值共享</translation>
    </message>
    <message>
        <source>cross-correlation</source>
        <translation>互相关</translation>
    </message>
    <message>
        <source>parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>tensor shapes</source>
        <translation>张量形状</translation>
    </message>
    <message>
        <source>output size</source>
        <translation>输出尺寸</translation>
    </message>
    <message>
        <source>padding</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>stride</source>
        <translation>步长</translation>
    </message>
    <message>
        <source>receptive field</source>
        <translation>感受野</translation>
    </message>
    <message>
        <source>dilation</source>
        <translation>空洞卷积</translation>
    </message>
    <message>
        <source>cost</source>
        <translation>计算量</translation>
    </message>
    <message>
        <source>transposed convolution</source>
        <translation>转置卷积</translation>
    </message>
    <message>
        <source>design</source>
        <translation>设计</translation>
    </message>
    <message>
        <source>You rounded up: the formula floors the division, so a last window that does not fit is dropped.</source>
        <translation>你向上取整了：公式里的除法是向下取整，放不下的最后一个窗口会被丢掉。</translation>
    </message>
    <message>
        <source>You padded one side only: padding p adds p rows at the top and p at the bottom, 2p in all.</source>
        <translation>你只填充了一侧：padding p 在顶部加 p 行、底部也加 p 行，一共 2p。</translation>
    </message>
    <message>
        <source>You ignored the dilation: a dilated kernel spans d(k-1)+1 pixels, not k.</source>
        <translation>你忽略了空洞率：空洞卷积核跨越 d(k-1)+1 个像素，而不是 k 个。</translation>
    </message>
    <message>
        <source>You left out the padding: it adds 2p to the input before the kernel slides.</source>
        <translation>你漏掉了填充：卷积核滑动之前，填充给输入加上 2p。</translation>
    </message>
    <message>
        <source>You forgot the + 1: the first window's position is an output too.</source>
        <translation>你忘了 + 1：第一个窗口的位置也是一个输出。</translation>
    </message>
    <message>
        <source>You ignored the stride: the window jumps s pixels, so divide by s.</source>
        <translation>你忽略了步长：窗口每次跳 s 个像素，所以要除以 s。</translation>
    </message>
    <message>
        <source>That would be invariance: a convolution is equivariant, its map moves with the input (only pooling over all positions makes a score stand still).</source>
        <translation>那是不变性：卷积是等变的，它的特征图随输入一起移动（只有对所有位置做池化，得分才会不动）。</translation>
    </message>
    <message>
        <source>The stride shrinks the move: the map moves by the shift divided by the stack's total stride.</source>
        <translation>步长会缩小移动量：特征图移动的距离是输入的平移量除以整个网络的总步长。</translation>
    </message>
    <message>
        <source>You forgot the bias: one per kernel, out_channels of them.</source>
        <translation>你忘了偏置：每个卷积核一个，共 out_channels 个。</translation>
    </message>
    <message>
        <source>You forgot the input channels: each kernel is in_channels deep, k×k weights per channel.</source>
        <translation>你忘了输入通道：每个卷积核有 in_channels 层深，每个通道 k×k 个权重。</translation>
    </message>
    <message>
        <source>You forgot the groups: with groups=g each kernel sees only in_channels/g channels.</source>
        <translation>你忘了分组：groups=g 时每个卷积核只看 in_channels/g 个通道。</translation>
    </message>
    <message>
        <source>You counted one kernel: there are out_channels of them.</source>
        <translation>你只算了一个卷积核：一共有 out_channels 个。</translation>
    </message>
    <message>
        <source>That counts multiplications (MACs), not weights: the same weights are used at every position.</source>
        <translation>这数的是乘加次数（MACs），不是权重：同一组权重在每个位置上重复使用。</translation>
    </message>
    <message>
        <source>You forgot the batch: the output holds one map stack per example.</source>
        <translation>你忘了批大小：每个样本都有一组自己的特征图。</translation>
    </message>
    <message>
        <source>You used in_channels: the output has one channel per kernel (out_channels).</source>
        <translation>你用了 in_channels：输出的通道数等于卷积核的个数（out_channels）。</translation>
    </message>
    <message>
        <source>Without padding the map shrinks: n - k + 1 along each side.</source>
        <translation>不加填充时特征图会变小：每条边是 n - k + 1。</translation>
    </message>
    <message>
        <source>That is 'replicate' (the edge pixel repeated); 'reflect' mirrors around the edge without repeating it.</source>
        <translation>这是 'replicate'（重复边缘像素）；'reflect' 以边缘像素为轴镜像，不重复它。</translation>
    </message>
    <message>
        <source>You mirrored with the edge pixel repeated; torch's 'reflect' mirrors around the edge pixel, which appears once.</source>
        <translation>你镜像时重复了边缘像素；torch 的 'reflect' 以边缘像素为轴镜像，边缘像素只出现一次。</translation>
    </message>
    <message>
        <source>That is 'circular' (the other side wraps round); 'reflect' mirrors.</source>
        <translation>这是 'circular'（从另一侧绕回来）；'reflect' 是镜像。</translation>
    </message>
    <message>
        <source>That is zero padding; 'reflect' copies real pixels.</source>
        <translation>这是零填充；'reflect' 复制的是真实像素。</translation>
    </message>
    <message>
        <source>You left out the padding: the windows slide over the padded input, n + 2p.</source>
        <translation>你漏掉了填充：窗口在填充后的输入上滑动，长度是 n + 2p。</translation>
    </message>
    <message>
        <source>You forgot the jump: after a stride s, each step of a later kernel covers s input pixels (r += (k-1)·d·j; j *= s).</source>
        <translation>你忘了跳距：经过步长 s 之后，后面卷积核每走一步就跨过 s 个输入像素（r += (k-1)·d·j; j *= s）。</translation>
    </message>
    <message>
        <source>You added k instead of k-1: each layer adds (k-1)·d·j to the field.</source>
        <translation>你加的是 k 而不是 k-1：每一层给感受野增加 (k-1)·d·j。</translation>
    </message>
    <message>
        <source>You skipped the pooling layers: a pooling window grows the field and its stride multiplies the jump.</source>
        <translation>你跳过了池化层：池化窗口也会扩大感受野，它的步长还会让跳距成倍增加。</translation>
    </message>
    <message>
        <source>You ignored the dilation: a dilated layer adds (k-1)·d·j, not (k-1)·j.</source>
        <translation>你忽略了空洞率：空洞卷积层增加的是 (k-1)·d·j，不是 (k-1)·j。</translation>
    </message>
    <message>
        <source>That is the field before the edit: recompute it with the new dilation.</source>
        <translation>这是修改之前的感受野：请用新的空洞率重新计算。</translation>
    </message>
    <message>
        <source>That counts only the depthwise step (1/k²); the pointwise 1×1 convolution adds 1/N.</source>
        <translation>这只算了逐通道（depthwise）那一步（1/k²）；逐点 1×1 卷积还要加上 1/N。</translation>
    </message>
    <message>
        <source>That counts only the pointwise step (1/N); the depthwise k×k step adds 1/k².</source>
        <translation>这只算了逐点（pointwise）那一步（1/N）；逐通道 k×k 那一步还要加上 1/k²。</translation>
    </message>
    <message>
        <source>You multiplied: the two steps run one after the other, so their costs add up, 1/N + 1/k².</source>
        <translation>你用了乘法：两步是先后进行的，所以代价相加，1/N + 1/k²。</translation>
    </message>
    <message>
        <source>A k×k kernel has k² weights per channel: 1/k², not 1/k.</source>
        <translation>k×k 的卷积核每个通道有 k² 个权重：是 1/k²，不是 1/k。</translation>
    </message>
    <message>
        <source>That is the convolution's formula; a transposed convolution runs it backwards: (n-1)s - 2p + d(k-1) + output_padding + 1.</source>
        <translation>这是普通卷积的公式；转置卷积把它反过来算：(n-1)s - 2p + d(k-1) + output_padding + 1。</translation>
    </message>
    <message>
        <source>You forgot output_padding: it adds that many rows at the bottom.</source>
        <translation>你忘了 output_padding：它在底部再加上这么多行。</translation>
    </message>
    <message>
        <source>In a transposed convolution padding removes rows: - 2p, not + 2p.</source>
        <translation>在转置卷积里，填充会去掉行：是 - 2p，不是 + 2p。</translation>
    </message>
    <message>
        <source>Start from (n-1)·s: n input pixels are n-1 strides apart.</source>
        <translation>从 (n-1)·s 算起：n 个输入像素之间相隔 n-1 个步长。</translation>
    </message>
    <message>
        <source>The horse moves {dx} pixels to the right on a larger canvas, with nothing wrapping round. By how many pixels does the map of {stack} move?</source>
        <translation>在更大的画布上，马向右移动 {dx} 个像素，没有任何部分从另一边绕回来。{stack} 的特征图移动多少个像素？</translation>
    </message>
    <message>
        <source>A {c}×{h}×{h} input goes through nn.Conv2d({c}, {k}, kernel_size={kk}, padding={pad}, groups={g}, bias={bias}). How many learnable parameters does the layer have?</source>
        <translation>一个 {c}×{h}×{h} 的输入经过 nn.Conv2d({c}, {k}, kernel_size={kk}, padding={pad}, groups={g}, bias={bias})。这一层有多少个可学习的参数？</translation>
    </message>
    <message>
        <source>A batch of {b} images, each {c}×{n}×{n}, goes through nn.Conv2d({c}, {k}, kernel_size={kk}). How many numbers does the output tensor hold?</source>
        <translation>一批 {b} 张图像，每张 {c}×{n}×{n}，经过 nn.Conv2d({c}, {k}, kernel_size={kk})。输出张量一共有多少个数？</translation>
    </message>
    <message>
        <source>A {n}×{n} input, Conv2d with kernel_size={k}, stride={s}, padding={p}, dilation={d}. What is the output height?</source>
        <translation>输入为 {n}×{n}，Conv2d 的 kernel_size={k}，stride={s}，padding={p}，dilation={d}。输出的高是多少？</translation>
    </message>
    <message>
        <source>This chapter's {h}×{w} input (in the stepper) is padded by {pad} with padding_mode='reflect'. In the padded grid (row 0, column 0 at its top-left corner; the input starts at row {pad}, column {pad}), what value is in row {r}, column {c}?</source>
        <translation>本章这个 {h}×{w} 的输入（见步进器）用 padding_mode='reflect' 填充 {pad} 圈。在填充后的网格中（第 0 行第 0 列在左上角；输入从第 {pad} 行第 {pad} 列开始），第 {r} 行第 {c} 列的值是多少？</translation>
    </message>
    <message>
        <source>A {n}×{n} input, Conv2d with kernel_size={k}, stride={s}, padding={p}, dilation={d}. How many rows of the padded input does no window reach (rows the floor division drops)?</source>
        <translation>输入为 {n}×{n}，Conv2d 的 kernel_size={k}，stride={s}，padding={p}，dilation={d}。填充后的输入有几行没有被任何窗口读到（即向下取整丢掉的行）？</translation>
    </message>
    <message>
        <source>In this stack ({stack}), how many input rows tall is the receptive field of one pixel of layer {l}'s output? Use r += (k-1)·d·j; j *= s, starting from r = 1, j = 1.</source>
        <translation>在这个网络（{stack}）中，第 {l} 层输出的一个像素，其感受野在输入上有多少行高？用 r += (k-1)·d·j; j *= s，从 r = 1、j = 1 开始。</translation>
    </message>
    <message>
        <source>In this stack ({stack}) the last layer's field is {old} pixels tall. If layer {l}'s dilation changes from {d0} to {d1} (padding {d1}, so the size stays), how tall is the last layer's field?</source>
        <translation>在这个网络（{stack}）中，最后一层的感受野高 {old} 像素。如果把第 {l} 层的空洞率从 {d0} 改成 {d1}（padding 也改为 {d1}，尺寸不变），最后一层的感受野有多高？</translation>
    </message>
    <message>
        <source>A {c}-channel {h}×{h} map: a depthwise-separable block with {n} output channels and a {k}×{k} kernel, or a standard {k}×{k} convolution with {n} output channels? Type the separable block's MACs as a fraction of the standard one's: a decimal (0.25), a percentage (25%) or fractions (1/8 + 1/8).</source>
        <translation>一张 {c} 通道、{h}×{h} 的特征图：用输出 {n} 通道、{k}×{k} 卷积核的深度可分离模块，或用输出 {n} 通道的标准 {k}×{k} 卷积。可分离模块的乘加次数（MACs）是标准卷积的几分之几？可以写成小数（0.25）、百分数（25%）或分数（1/8 + 1/8）。</translation>
    </message>
    <message>
        <source>A {n}×{n} input, ConvTranspose2d with kernel_size={k}, stride={s}, padding={p}, output_padding={op}, dilation={d}. What is the output height?</source>
        <translation>输入为 {n}×{n}，ConvTranspose2d 的 kernel_size={k}，stride={s}，padding={p}，output_padding={op}，dilation={d}。输出的高是多少？</translation>
    </message>
    <message>
        <source>A receptive field of at least 64 on a 1×128×128 input, with at most 5,000 parameters.</source>
        <translation>在 1×128×128 的输入上，感受野至少 64，参数不超过 5,000 个。</translation>
    </message>
    <message>
        <source>From 3×224×224 to 7×7 in at most five layers that slide a window (activations do not count), with no row or column dropped.</source>
        <translation>用不超过五个滑动窗口的层（激活函数不算）把 3×224×224 变成 7×7，且不丢掉任何一行或一列。</translation>
    </message>
    <message>
        <source>From 8×7×7 up to 28×28 with at most two ConvTranspose2d layers and no checkerboard: each kernel_size divisible by its stride.</source>
        <translation>用不超过两个 ConvTranspose2d 层把 8×7×7 放大到 28×28，且没有棋盘格伪影：每个 kernel_size 都能被其步长整除。</translation>
    </message>
    <message>
        <source>The input is {shape} and every layer is valid</source>
        <translation>输入为 {shape}，且每一层都有效</translation>
    </message>
    <message>
        <source>input {shape}; layers: {n}; {state}</source>
        <translation>输入 {shape}；层数：{n}；{state}</translation>
    </message>
    <message>
        <source>all valid</source>
        <translation>全部有效</translation>
    </message>
    <message>
        <source>a layer is invalid</source>
        <translation>有一层无效</translation>
    </message>
    <message>
        <source>Receptive field of the output at least {n}</source>
        <translation>输出的感受野至少为 {n}</translation>
    </message>
    <message>
        <source>receptive field {n}</source>
        <translation>感受野 {n}</translation>
    </message>
    <message>
        <source>At most {n} parameters</source>
        <translation>参数不超过 {n} 个</translation>
    </message>
    <message>
        <source>{n} parameters</source>
        <translation>{n} 个参数</translation>
    </message>
    <message>
        <source>The output is {n}×{n}</source>
        <translation>输出为 {n}×{n}</translation>
    </message>
    <message>
        <source>output {size}</source>
        <translation>输出 {size}</translation>
    </message>
    <message>
        <source>At most {n} layers that slide a window</source>
        <translation>最多 {n} 个滑动窗口的层</translation>
    </message>
    <message>
        <source>layers with a window: {n}</source>
        <translation>带窗口的层：{n} 个</translation>
    </message>
    <message>
        <source>No row or column dropped by the floor division</source>
        <translation>向下取整没有丢掉任何行或列</translation>
    </message>
    <message>
        <source>dropped at layers {layers}</source>
        <translation>第 {layers} 层丢掉了行或列</translation>
    </message>
    <message>
        <source>none dropped</source>
        <translation>没有丢掉</translation>
    </message>
    <message>
        <source>At most {n} ConvTranspose2d layers and no other layer that slides a window</source>
        <translation>最多 {n} 个 ConvTranspose2d 层，且没有其他滑动窗口的层</translation>
    </message>
    <message>
        <source>ConvTranspose2d: {n}; others with a window: {m}</source>
        <translation>ConvTranspose2d：{n} 个；其他带窗口的层：{m} 个</translation>
    </message>
    <message>
        <source>Each kernel_size divisible by its stride (no checkerboard)</source>
        <translation>每个 kernel_size 都能被其步长整除（没有棋盘格伪影）</translation>
    </message>
    <message>
        <source>not divisible at layers {layers}</source>
        <translation>第 {layers} 层不能整除</translation>
    </message>
    <message>
        <source>all divisible</source>
        <translation>全部能整除</translation>
    </message>
    <message>
        <source>type a sentence of at least one word</source>
        <translation>请输入至少包含一个词的句子</translation>
    </message>
    <message>
        <source>the sentence has {n} words; type at most {m}</source>
        <translation>这个句子有 {n} 个词；最多输入 {m} 个</translation>
    </message>
    <message>
        <source>torchvision is installed but cannot be loaded ({why}): run pip install 'convviz[models]'{matching}</source>
        <translation>torchvision 已安装但无法加载（{why}）：请运行 pip install 'convviz[models]'{matching}</translation>
    </message>
    <message>
        <source> (it installs the torchvision that matches your torch {version})</source>
        <translation>（它会安装与你的 torch {version} 匹配的 torchvision）</translation>
    </message>
    <message>
        <source>torchvision is not installed: run pip install 'convviz[models]'{matching}</source>
        <translation>未安装 torchvision：请运行 pip install 'convviz[models]'{matching}</translation>
    </message>
    <message>
        <source>this torchvision is too old (convviz needs 0.14 or newer): run pip install 'convviz[models]'{matching}</source>
        <translation>此 torchvision 版本过旧（convviz 需要 0.14 或更新版本）：请运行 pip install 'convviz[models]'{matching}</translation>
    </message>
    <message>
        <source>adds each block's input to its output (skip connections)</source>
        <translation>把每个块的输入加到它的输出上（跳跃连接）</translation>
    </message>
    <message>
        <source>concatenates each layer's output with all the maps before it (dense connections)</source>
        <translation>把每一层的输出与它之前的所有特征图拼接起来（密集连接）</translation>
    </message>
    <message>
        <source>runs parallel branches of convolutions and concatenates them (Inception modules)</source>
        <translation>并行运行几路卷积分支，再把它们拼接起来（Inception 模块）</translation>
    </message>
    <message>
        <source>adds each inverted-residual block's input to its output (residual blocks)</source>
        <translation>把每个倒残差块的输入加到它的输出上（残差块）</translation>
    </message>
    <message>
        <source>adds residual connections and multiplies maps by weights computed from themselves (squeeze-and-excitation)</source>
        <translation>使用残差连接，并把特征图乘以由它们自身算出的权重（压缩与激励）</translation>
    </message>
    <message>
        <source>adds each block's input to its output (residual blocks, with squeeze-and-excitation in RegNetY)</source>
        <translation>把每个块的输入加到它的输出上（残差块；RegNetY 中还有压缩与激励）</translation>
    </message>
    <message>
        <source>splits the channels into two branches and shuffles them back together (channel shuffle)</source>
        <translation>把通道分成两路分支，再打乱合并回来（通道混洗）</translation>
    </message>
    <message>
        <source>runs parallel 1x1 and 3x3 convolutions and concatenates them (Fire modules)</source>
        <translation>并行运行 1x1 和 3x3 卷积，再把它们拼接起来（Fire 模块）</translation>
    </message>
    <message>
        <source>adds each block's input to its output, scaled per channel (layer scale), with LayerNorm</source>
        <translation>把每个块的输入加到它按通道缩放后的输出上（层缩放），并使用 LayerNorm</translation>
    </message>
    <message>
        <source>uses self-attention over windows of the image and residual connections</source>
        <translation>在图像的窗口上使用自注意力，并使用残差连接</translation>
    </message>
    <message>
        <source>cuts the image into patches and relates them with self-attention (a transformer)</source>
        <translation>把图像切成小块，用自注意力把它们联系起来（Transformer）</translation>
    </message>
    <message>
        <source>{title} {why}; convviz computes a plain chain of layers, one after another</source>
        <translation>{title} {why}；convviz 只计算一层接一层的普通链式结构</translation>
    </message>
    <message>
        <source>adds an earlier result to a later one (skip connections)</source>
        <translation>把较早的结果加到较晚的结果上（跳跃连接）</translation>
    </message>
    <message>
        <source>concatenates the results of parallel branches</source>
        <translation>把并行分支的结果拼接起来</translation>
    </message>
    <message>
        <source>multiplies maps by weights computed from themselves (squeeze-and-excitation or gating)</source>
        <translation>把特征图乘以由它们自身算出的权重（压缩与激励或门控）</translation>
    </message>
    <message>
        <source>combines two earlier results with {name}</source>
        <translation>用 {name} 合并两个较早的结果</translation>
    </message>
    <message>
        <source>uses one result in more than one place (parallel branches)</source>
        <translation>在不止一处使用同一个结果（并行分支）</translation>
    </message>
    <message>
        <source>uses {type} ({name}), a layer convviz cannot express</source>
        <translation>使用了 {type}（{name}），这是 convviz 无法表示的层</translation>
    </message>
    <message>
        <source>{title} does not compute at 3x224x224 in convviz: {why}</source>
        <translation>{title} 在 convviz 中无法以 3x224x224 计算：{why}</translation>
    </message>
    <message>
        <source> (did you mean {names}?)</source>
        <translation>（你是不是指 {names}？）</translation>
    </message>
    <message>
        <source>torchvision has no classification model named {name}{hint}</source>
        <translation>torchvision 中没有名为 {name} 的分类模型{hint}</translation>
    </message>
    <message>
        <source>download cancelled</source>
        <translation>下载已取消</translation>
    </message>
    <message>
        <source>the file downloaded from {url} is not the checkpoint torchvision names (its SHA-256 starts {got}, not {want}) — it was not kept</source>
        <translation>从 {url} 下载的文件不是 torchvision 指定的检查点（其 SHA-256 以 {got} 开头，而不是 {want}）——未保留该文件</translation>
    </message>
    <message>
        <source>could not download {url}: {why} — check the network connection</source>
        <translation>无法下载 {url}：{why}——请检查网络连接</translation>
    </message>
    <message>
        <source>could not save the download to {folder}: {why}</source>
        <translation>无法把下载的文件保存到 {folder}：{why}</translation>
    </message>
</context>
<context>
    <name>kernels</name>
    <message>
        <source>Random (from the seed)</source>
        <translation>随机（由种子决定）</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>恒等</translation>
    </message>
    <message>
        <source>Sobel x (vertical edges)</source>
        <translation>Sobel x（竖直边缘）</translation>
    </message>
    <message>
        <source>Sobel y (horizontal edges)</source>
        <translation>Sobel y（水平边缘）</translation>
    </message>
    <message>
        <source>Gaussian blur</source>
        <translation>高斯模糊</translation>
    </message>
    <message>
        <source>Sharpen</source>
        <translation>锐化</translation>
    </message>
    <message>
        <source>Laplacian</source>
        <translation>拉普拉斯</translation>
    </message>
    <message>
        <source>Box blur</source>
        <translation>均值模糊</translation>
    </message>
</context>
<context>
    <name>preset</name>
    <message>
        <source>A small RGB teaching stack on the astronaut</source>
        <translation>宇航员照片上的小型 RGB 教学层栈</translation>
    </message>
    <message>
        <source>The lesson's 4x4 input with a 2x2 kernel: [1, 1, 3, 3]</source>
        <translation>课程中的 4×4 输入配 2×2 卷积核：[1, 1, 3, 3]</translation>
    </message>
    <message>
        <source>Two 2x2 kernels give two channels: [1, 2, 3, 3]</source>
        <translation>两个 2×2 卷积核给出两个通道：[1, 2, 3, 3]</translation>
    </message>
    <message>
        <source>Padding 2 around the 4x4 input gives 7x7</source>
        <translation>在 4×4 输入四周填充 2，得到 7×7</translation>
    </message>
    <message>
        <source>LeNet-5 on a 32x32 digit-sized input: its features, then Flatten and Linear layers to 10 logits (61,706 parameters)</source>
        <translation>LeNet-5，输入为 32×32 的数字大小图像：先是特征层，然后 Flatten 和 Linear 层输出 10 个 logit（61,706 个参数）</translation>
    </message>
    <message>
        <source>CNN Explainer's Tiny VGG: two conv-ReLU-conv-ReLU-maxpool blocks, Flatten, Linear to 10 classes</source>
        <translation>CNN Explainer 的 Tiny VGG：两个“卷积-ReLU-卷积-ReLU-最大池化”模块，然后 Flatten，再由 Linear 输出 10 个类别</translation>
    </message>
    <message>
        <source>VGG-16's 13 convolutions and 5 max-pools at 224x224</source>
        <translation>VGG-16 在 224×224 输入上的 13 个卷积层和 5 个最大池化层</translation>
    </message>
    <message>
        <source>The whole VGG-16: features, AdaptiveAvgPool2d(7), Flatten and the classifier to 1000 classes (138,357,544 parameters)</source>
        <translation>完整的 VGG-16：特征层、AdaptiveAvgPool2d(7)、Flatten 和输出 1000 个类别的分类器（138,357,544 个参数）</translation>
    </message>
    <message>
        <source>A MobileNet depthwise-separable block beside a standard conv</source>
        <translation>一个 MobileNet 深度可分离模块，与标准卷积并列比较</translation>
    </message>
    <message>
        <source>A dilated stack: the receptive field grows without more weights</source>
        <translation>空洞卷积层栈：感受野变大，权重却不增加</translation>
    </message>
</context>
<context>
    <name>spec</name>
    <message>
        <source>Number of channels the layer reads; leave it out to take the previous layer's output channels.</source>
        <translation>该层读取的通道数；留空则取上一层的输出通道数。</translation>
    </message>
    <message>
        <source>Number of kernels, and so the number of channels (the depth) of the output.</source>
        <translation>卷积核的个数，也就是输出的通道数（深度）。</translation>
    </message>
    <message>
        <source>Height and width of the window that slides over the input.</source>
        <translation>在输入上滑动的窗口的高和宽。</translation>
    </message>
    <message>
        <source>How many pixels the window moves between two outputs; 2 halves the size.</source>
        <translation>两次输出之间窗口移动的像素数；为 2 时尺寸减半。</translation>
    </message>
    <message>
        <source>Spacing between kernel taps; d &gt; 1 widens the window without adding weights.</source>
        <translation>卷积核采样点之间的间距；d &gt; 1 时窗口变宽而权重不增加。</translation>
    </message>
    <message>
        <source>Splits channels into independent groups; groups = in_channels is a depthwise convolution.</source>
        <translation>把通道分成相互独立的组；groups = in_channels 即逐通道卷积。</translation>
    </message>
    <message>
        <source>Adds one learned number to every output of each channel.</source>
        <translation>给每个通道的每个输出加上一个可学习的数。</translation>
    </message>
    <message>
        <source>What the border is filled with: zeros, a mirror image, the edge pixel repeated, or the opposite edge.</source>
        <translation>边界用什么填充：零、镜像、重复边缘像素，或对边的像素。</translation>
    </message>
    <message>
        <source>Pixels added on each side before sliding; 'same' keeps the size (stride 1 only), 'valid' adds none.</source>
        <translation>滑动之前在每侧补充的像素数；'same' 保持尺寸（仅限步长 1），'valid' 不填充。</translation>
    </message>
    <message>
        <source>Implicit padding on each side; at most half the kernel size.</source>
        <translation>每侧的隐式填充；最多为卷积核大小的一半。</translation>
    </message>
    <message>
        <source>Round the output size up instead of down, keeping a last partial window.</source>
        <translation>输出尺寸向上取整而不是向下，保留最后一个不完整的窗口。</translation>
    </message>
    <message>
        <source>A 2-D convolution: every output channel is one 3-D kernel slid over the input.</source>
        <translation>二维卷积：每个输出通道是一个在输入上滑动的三维卷积核。</translation>
    </message>
    <message>
        <source>Trims this many pixels from each side of the output (numbers only; 'same' is not supported).</source>
        <translation>从输出的每一侧裁掉这么多像素（只能是数字；不支持 'same'）。</translation>
    </message>
    <message>
        <source>Extra rows and columns added to one side of the output; must be smaller than stride or dilation.</source>
        <translation>在输出一侧额外增加的行和列；必须小于 stride 或 dilation。</translation>
    </message>
    <message>
        <source>Transposed convolution supports only zeros padding.</source>
        <translation>转置卷积只支持零填充。</translation>
    </message>
    <message>
        <source>A transposed convolution: spreads each input pixel over a kernel-sized patch, enlarging the map.</source>
        <translation>转置卷积：把每个输入像素铺到一个卷积核大小的区域上，从而放大特征图。</translation>
    </message>
    <message>
        <source>Keeps the largest value in each window.</source>
        <translation>保留每个窗口中的最大值。</translation>
    </message>
    <message>
        <source>Whether padded zeros count in the average's denominator.</source>
        <translation>填充的零是否计入平均值的分母。</translation>
    </message>
    <message>
        <source>Divide by this number instead of the window size.</source>
        <translation>用这个数代替窗口大小作除数。</translation>
    </message>
    <message>
        <source>Replaces each window by its mean.</source>
        <translation>用每个窗口的平均值代替该窗口。</translation>
    </message>
    <message>
        <source>The output height and width; the window sizes adapt to the input.</source>
        <translation>输出的高和宽；窗口大小随输入自适应。</translation>
    </message>
    <message>
        <source>Averages over bins chosen so that the output has a fixed size.</source>
        <translation>在划分好的区域上求平均，使输出具有固定尺寸。</translation>
    </message>
    <message>
        <source>The output height and width; the window sizes adapt to the input (1 is global max pooling).</source>
        <translation>输出的高和宽；窗口大小随输入自适应（取 1 即全局最大池化）。</translation>
    </message>
    <message>
        <source>Also return where each maximum was (for MaxUnpool2d); convviz cannot use it, so leave it off.</source>
        <translation>同时返回每个最大值所在的位置（供 MaxUnpool2d 使用）；convviz 用不上它，请保持关闭。</translation>
    </message>
    <message>
        <source>Keeps the largest value of each bin, bins chosen so that the output has a fixed size; output_size 1 finds a feature anywhere in the map.</source>
        <translation>保留每个区块中的最大值，区块的划分使输出具有固定尺寸；output_size 为 1 时可在整张特征图的任何位置找到一个特征。</translation>
    </message>
    <message>
        <source>Number of channels; leave it out to take the previous layer's output channels.</source>
        <translation>通道数；留空则取上一层的输出通道数。</translation>
    </message>
    <message>
        <source>Added to the variance for numerical stability.</source>
        <translation>加到方差上以保证数值稳定。</translation>
    </message>
    <message>
        <source>How fast the running statistics follow new batches.</source>
        <translation>滑动统计量跟随新批次更新的速度。</translation>
    </message>
    <message>
        <source>Learn a scale and a shift per channel.</source>
        <translation>为每个通道学习一个缩放和一个平移。</translation>
    </message>
    <message>
        <source>Keep running mean and variance for inference.</source>
        <translation>为推理保留滑动均值和方差。</translation>
    </message>
    <message>
        <source>Normalises each channel (in inference mode: with its running mean and variance).</source>
        <translation>对每个通道做归一化（推理模式下使用滑动均值和方差）。</translation>
    </message>
    <message>
        <source>max(0, x): negative values become zero.</source>
        <translation>max(0, x)：负值变为零。</translation>
    </message>
    <message>
        <source>Slope applied to negative values.</source>
        <translation>负值部分的斜率。</translation>
    </message>
    <message>
        <source>x for positive x, negative_slope * x otherwise.</source>
        <translation>x 为正时取 x，否则取 negative_slope * x。</translation>
    </message>
    <message>
        <source>1 / (1 + exp(-x)): squashes values into (0, 1).</source>
        <translation>1 / (1 + exp(-x))：把数值压缩到 (0, 1)。</translation>
    </message>
    <message>
        <source>Hyperbolic tangent: squashes values into (-1, 1).</source>
        <translation>双曲正切：把数值压缩到 (-1, 1)。</translation>
    </message>
    <message>
        <source>'tanh' uses the faster tanh approximation.</source>
        <translation>'tanh' 使用更快的 tanh 近似。</translation>
    </message>
    <message>
        <source>x times the Gaussian CDF of x: a smooth ReLU.</source>
        <translation>x 乘以 x 的高斯分布函数：一种平滑的 ReLU。</translation>
    </message>
    <message>
        <source>MobileNet's block: a depthwise convolution (groups = in_channels) then a 1x1 pointwise convolution.</source>
        <translation>MobileNet 的模块：先做逐通道卷积（groups = in_channels），再做 1x1 逐点卷积。</translation>
    </message>
    <message>
        <source>First dimension to join, counting the batch as 0: 1 keeps the batch and starts at the channels.</source>
        <translation>要合并的第一个维度，批维度记为 0：取 1 则保留批维度，从通道维开始合并。</translation>
    </message>
    <message>
        <source>Last dimension to join; -1 is the last one (the width).</source>
        <translation>要合并的最后一个维度；-1 表示最后一维（宽度）。</translation>
    </message>
    <message>
        <source>Lays the maps out as one vector of channels x height x width values, in order, for the Linear layers of a classifier.</source>
        <translation>把特征图按顺序展开成一个含 通道×高×宽 个值的向量，供分类器的 Linear 层使用。</translation>
    </message>
    <message>
        <source>Number of values each output reads (the input's last dimension); leave it out to take it from the layer before.</source>
        <translation>每个输出读取的值的个数（输入的最后一维）；留空则取自上一层。</translation>
    </message>
    <message>
        <source>Number of outputs; each is a weighted sum of all the input values.</source>
        <translation>输出的个数；每个输出都是所有输入值的加权和。</translation>
    </message>
    <message>
        <source>Adds one learned number to each output.</source>
        <translation>给每个输出加上一个可学习的数。</translation>
    </message>
    <message>
        <source>A fully connected layer: every output weighs every input value (of the last dimension), so it depends on the whole input.</source>
        <translation>全连接层：每个输出对（最后一维的）每个输入值加权，因此它依赖整个输入。</translation>
    </message>
    <message>
        <source>Probability that training zeroes a value; the maps here are drawn in evaluation mode, unchanged.</source>
        <translation>训练时把一个值置零的概率；这里的特征图在评估模式下绘制，值不变。</translation>
    </message>
    <message>
        <source>Overwrite the input instead of making a new tensor (the same values; saves memory).</source>
        <translation>直接覆盖输入而不新建张量（值相同；节省内存）。</translation>
    </message>
    <message>
        <source>During training, zeroes random values (probability p) and scales the rest by 1/(1-p); convviz draws maps in evaluation mode, where it passes every value through unchanged.</source>
        <translation>训练时以概率 p 随机把值置零，其余的乘以 1/(1-p)；convviz 在评估模式下绘制特征图，此时每个值原样通过。</translation>
    </message>
</context>
<context>
    <name>title</name>
    <message>
        <source>A dilated stack</source>
        <translation>一个空洞卷积层栈</translation>
    </message>
    <message>
        <source>LeNet-5</source>
        <translation>LeNet-5</translation>
    </message>
    <message>
        <source>The lesson's 4x4 example: one 2x2 kernel</source>
        <translation>课程中的 4×4 示例：一个 2×2 卷积核</translation>
    </message>
    <message>
        <source>The lesson's 4x4 example: two 2x2 kernels</source>
        <translation>课程中的 4×4 示例：两个 2×2 卷积核</translation>
    </message>
    <message>
        <source>Padding: 4x4 input, kernel 2, padding 2 gives 7x7</source>
        <translation>填充：4×4 输入、卷积核 2、填充 2，得到 7×7</translation>
    </message>
    <message>
        <source>A MobileNet depthwise-separable block</source>
        <translation>一个 MobileNet 深度可分离模块</translation>
    </message>
    <message>
        <source>A small RGB teaching stack</source>
        <translation>一个小型 RGB 教学层栈</translation>
    </message>
    <message>
        <source>Tiny VGG (CNN Explainer's classifier)</source>
        <translation>Tiny VGG（CNN Explainer 的分类器）</translation>
    </message>
    <message>
        <source>VGG-16 convolution stack (features)</source>
        <translation>VGG-16 卷积层栈（特征层）</translation>
    </message>
    <message>
        <source>VGG-16 (features and classifier, 1000 classes)</source>
        <translation>VGG-16（特征层和分类器，1000 个类别）</translation>
    </message>
    <message>
        <source>Why convolution: the horse</source>
        <translation>为什么要用卷积：马</translation>
    </message>
    <message>
        <source>A 3-D kernel over a 3-D input</source>
        <translation>三维卷积核在三维输入上滑动</translation>
    </message>
    <message>
        <source>Stride 2 on a 7x7 input</source>
        <translation>7×7 输入上的步长 2</translation>
    </message>
    <message>
        <source>The output-size formula</source>
        <translation>输出尺寸公式</translation>
    </message>
    <message>
        <source>TextCNN: a 1-D convolution over a sentence</source>
        <translation>TextCNN：在句子上做一维卷积</translation>
    </message>
    <message>
        <source>Atlas 1: no padding, unit strides (4x4 input, 3x3 kernel)</source>
        <translation>图集 1：无填充，步长 1（4x4 输入，3x3 卷积核）</translation>
    </message>
    <message>
        <source>Atlas 2: zero padding 2, unit strides (5x5 input, 4x4 kernel)</source>
        <translation>图集 2：零填充 2，步长 1（5x5 输入，4x4 卷积核）</translation>
    </message>
    <message>
        <source>Atlas 3: half (same) padding, unit strides (5x5, 3x3, p = 1)</source>
        <translation>图集 3：半填充（same），步长 1（5x5，3x3，p = 1）</translation>
    </message>
    <message>
        <source>Atlas 4: full padding p = k - 1, unit strides (5x5, 3x3, p = 2)</source>
        <translation>图集 4：全填充 p = k - 1，步长 1（5x5，3x3，p = 2）</translation>
    </message>
    <message>
        <source>Atlas 5: no padding, stride 2 (5x5, 3x3)</source>
        <translation>图集 5：无填充，步长 2（5x5，3x3）</translation>
    </message>
    <message>
        <source>Atlas 6: padding 1, stride 2 (5x5, 3x3)</source>
        <translation>图集 6：填充 1，步长 2（5x5，3x3）</translation>
    </message>
    <message>
        <source>Atlas 7: padding 1, stride 2 on 6x6: the last padded row and column unread</source>
        <translation>图集 7：6x6 输入、填充 1、步长 2：填充后的最后一行和最后一列没有窗口读到</translation>
    </message>
    <message>
        <source>Atlas 8: dilation 2, no padding (7x7, 3x3)</source>
        <translation>图集 8：空洞率 2，无填充（7x7，3x3）</translation>
    </message>
    <message>
        <source>Atlas 9: upsampling by 2 with a 3x3 transposed kernel (checkerboard)</source>
        <translation>图集 9：用 3x3 转置卷积核上采样 2 倍（棋盘格伪影）</translation>
    </message>
    <message>
        <source>Atlas 10: upsampling by 2 with a 4x4 transposed kernel (even overlap)</source>
        <translation>图集 10：用 4x4 转置卷积核上采样 2 倍（均匀重叠）</translation>
    </message>
    <message>
        <source>Design challenges</source>
        <translation>设计挑战</translation>
    </message>
</context>
</TS>