"""The ribbon: a 党员信息 tab with one large 校验 button (Office 2010+ customUI14).

The button's ``onAction`` is the template's own VBA callback
``RibbonMyAddin.RunMain``: it runs ``import <add-in file name>; <name>.main()``,
so ``dyxx.xlam`` runs :func:`dyxx.main` (see :mod:`addin.ribbon.entry`).
"""

from __future__ import annotations

NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
PART = "customUI/customUI14.xml"
RELATIONSHIP_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
IMAGE_ID = "dyxxCheck"
IMAGE_PART = f"customUI/images/{IMAGE_ID}.png"
CALLBACK = "RibbonMyAddin.RunMain"  # a Sub of the template's VBA project

SCREENTIP = "校验当前工作簿"
SUPERTIP = (
    "查找附件3、附件4表格，补上缺少的下拉列表和文本格式，逐项校验；"
    "有问题的单元格标红（错误）或标黄（警告）并加批注，问题列在“校验结果”工作表，"
    "结论写入“校验记录”工作表。可反复点击：改正后的单元格恢复原来的颜色。"
)

XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<customUI xmlns="{NAMESPACE}">
  <ribbon>
    <tabs>
      <tab id="dyxxTab" label="党员信息" insertAfterMso="TabHome">
        <group id="dyxxGroup" label="党员信息采集">
          <button id="dyxxCheck" label="校验" size="large" image="{IMAGE_ID}"
                  onAction="{CALLBACK}" screentip="{SCREENTIP}" supertip="{SUPERTIP}"/>
        </group>
      </tab>
    </tabs>
  </ribbon>
</customUI>
"""

RELATIONSHIPS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="{IMAGE_ID}" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" \
Target="images/{IMAGE_ID}.png"/></Relationships>"""
